/**
 * The GitHub API requests one commit costs: a pull request that changes every integration of a
 * repository of `integrations` integrations in three environments (dev, test, prod), planned, then
 * merged and applied. Shared by the budget test and the benchmark.
 */
import { crmConnection, crmIntegration } from '../../support/crm.ts';
import { toYaml } from '../../support/manifests.ts';
import { until } from '../../support/time.ts';
import { createWorld, environment, type World } from './pull-request-world.ts';
import type { EntitySelection } from '../../../controller/generated/manifests.ts';

export interface BudgetResult {
  integrations: number;
  environments: number;
  /** Requests while the pull request's head was planned and its three check runs written. */
  pullRequest: number;
  /** Requests while the merge commit was applied and reported. */
  push: number;
  /** Requests by operation id, over both. */
  byOperation: Record<string, number>;
}

type Operations = EntitySelection['operations'];

const nameOf = (n: number): string => `crm-${String(n).padStart(5, '0')}`;

function repository(integrations: number, operations: Operations): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = 0; n < integrations; n++) files[`integrations/${nameOf(n)}.yaml`] = toYaml(crmIntegration({ name: nameOf(n), operations, environments: ['dev', 'test', 'prod'] }));
  return files;
}

const CONNECTION = toYaml(crmConnection({ dev: { env: 'CRM_DEV_API_KEY' }, test: { env: 'CRM_TEST_API_KEY' }, prod: { env: 'CRM_API_KEY' } }, { prod: 'https://crm.example.com/v2' }));

const NAMES = ['dev', 'test', 'prod'];

/**
 * Runs the scenario in a new world and counts what reached the GitHub stand-in. `timeoutMs` is how
 * long each wait may take on a quiet machine (scaled by INTCTL_TEST_TIME_FACTOR).
 */
export async function measureBudget(integrations: number, timeoutMs = 60_000): Promise<BudgetResult> {
  const world: World = await createWorld({
    files: {
      ...repository(integrations, ['Get', 'Search', 'Count']),
      'integrations/crm.yaml': '# moved to one file per integration\n',
      'connections/crm.yaml': CONNECTION,
      'environments/test.yaml': environment('test', { requiredApprovals: 0, allowBreaking: true }),
    },
  });
  try {
    const completedOn = (sha: string) => () => NAMES.every((name) => world.checkRun(sha, `intctl/${name}`)?.status === 'completed');
    const before = world.gh.requests.length;
    const head = await world.openPullRequest(1, repository(integrations, ['Get', 'Search', 'Count', 'Create']));
    await until('the pull request checks', completedOn(head), { timeoutMs });
    await world.settle();
    const afterPull = world.gh.requests.length;
    const merge = await world.merge(1);
    await until('the merge commit checks', completedOn(merge), { timeoutMs });
    await until('every environment reconciled at the merge commit', () => world.running.controller.statuses().every((s) => s.observedCommit === merge), { timeoutMs });
    await world.settle();
    const afterPush = world.gh.requests.length;
    const byOperation: Record<string, number> = {};
    for (const request of world.gh.requests.slice(before)) byOperation[request.operationId ?? 'unknown'] = (byOperation[request.operationId ?? 'unknown'] ?? 0) + 1;
    if (world.gh.invalidRequests.length > 0) throw new Error(`invalid requests: ${JSON.stringify(world.gh.invalidRequests)}`);
    return { integrations, environments: NAMES.length, pullRequest: afterPull - before, push: afterPush - afterPull, byOperation };
  } finally {
    await world.close();
  }
}
