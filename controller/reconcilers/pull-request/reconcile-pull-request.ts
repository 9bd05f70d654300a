/**
 * The plan of a pull request: its head validated and planned against every environment it
 * affects, each reported as the check run `intctl/<environment>`. Nothing is applied. The request
 * names only the pull request: its head, base and reviews are read again every time, so a missed
 * or repeated event cannot leave a check wrong.
 */
import type { Environment } from '../../generated/manifests.ts';
import type { ArtifactCache } from '../../artifact/build-artifact.ts';
import { gate } from '../../core/gate.ts';
import { environmentPolicy } from '../../core/environment-policy.ts';
import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import type { ReconcileOutcome } from '../../core/reconcile-outcome.ts';
import type { EnvironmentDriver } from '../../environments/driver.ts';
import { reconcileEnvironment } from '../environment/reconcile-environment.ts';
import type { ReconcileRequest, ReconcileResult } from '../reconciler.ts';
import type { Logger } from '../../observability/logger.ts';
import type { TrackedSource } from '../../source/tracked-source.ts';
import { affectedEnvironments } from './affected-environments.ts';
import { countApprovals, getPullRequest, reviewsOf, type Review } from '../../reporting/github/approvals.ts';
import type { EnvironmentCheck } from '../../reporting/github/check-report.ts';
import type { GithubClient } from '../../reporting/github/github-client.ts';
import type { GithubReporter } from '../../reporting/github/github-reporter.ts';

/** What the pull-request reconciler is given. */
export interface PullRequestContext {
  source: Pick<TrackedSource, 'fetchPullRequest' | 'load' | 'changedSinceBranch' | 'branchCommit'>;
  client: GithubClient;
  reporter: GithubReporter;
  /** The tracked branch: only pull requests into it are planned. */
  branch: string;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  artifactCache?: ArtifactCache;
  /** The environments of the tracked branch, for a head whose own manifests cannot be read. */
  knownEnvironments: () => string[];
  /**
   * An environment as the tracked branch defines it. A pull request's plan reaches each
   * environment this way, never as the pull request defines it: a pull request (from a fork, say)
   * could otherwise point an environment's URL at a server of its own and receive its token.
   */
  trustedEnvironment: (name: string) => LoadedObject<Environment> | undefined;
  holder: string;
  leaseTtlMs: number;
  logger: Logger;
}

export interface PullRequestResult extends ReconcileResult {
  /** The head planned and the environments reported, when it got that far. */
  head?: string;
  environments?: string[];
}

/**
 * The pull-request reconciler (request `{ kind: 'PullRequest', name: '<number>' }`): plans the
 * pull request's head and reports a check per environment it affects.
 */
export async function reconcilePullRequest(request: ReconcileRequest, deps: PullRequestContext): Promise<PullRequestResult> {
  const number = Number(request.name);
  const log = deps.logger.child({ pullRequest: number });
  const pr = await getPullRequest(deps.client, number);
  if (pr.state !== 'open') {
    deps.reporter.forgetPullRequest(number);
    log.info('pull request is closed; not planned');
    return { requeue: { policy: 'settled' } };
  }
  if (pr.baseRef !== deps.branch) {
    log.info({ base: pr.baseRef }, 'pull request is not into the tracked branch; not planned');
    return { requeue: { policy: 'settled' } };
  }
  const head = await deps.source.fetchPullRequest(number);
  if (head !== pr.headSha) {
    // GitHub updates refs/pull/N/head a moment after the event; try again shortly.
    log.info({ head, expected: pr.headSha }, 'the pull request ref is not at its head yet');
    return { requeue: { policy: 'transient' } };
  }
  const loaded = await deps.source.load(head);
  const changed = await deps.source.changedSinceBranch(head);
  const files = loaded.reader.files();
  const base = await baseManifests(deps);
  const affected = affectedEnvironments({ head: loaded.set, base, changed, problems: loaded.problems, known: deps.knownEnvironments(), present: (path) => files.has(path) });
  log.info({ head, changed: changed.length, environments: affected.environments, errors: loaded.errors.length }, 'planning pull request');
  const unaffected = [...new Set([...deps.knownEnvironments(), ...loaded.set.environments.map((e) => e.manifest.metadata.name)])]
    .filter((name) => !affected.environments.includes(name))
    .sort();
  for (const environment of unaffected) {
    const outcome: ReconcileOutcome = { kind: 'Planned', pending: 0, drifted: [] };
    await deps.reporter.report({ environment, event: 'pull_request', commit: head, pullRequest: number, problems: [], outcome, interfaceChanges: {}, unaffected: true });
  }
  if (affected.environments.length === 0) return { requeue: { policy: 'settled' }, head, environments: [] };

  await deps.reporter.started(number, head, affected.environments);
  const reviews = await reviewsOf(deps.client, number);
  for (const environment of affected.environments) {
    const check = await planEnvironment(deps, { number, head, author: pr.author, reviews, environment, loaded, problems: affected.problemsFor(environment) });
    await deps.reporter.report(check);
    log.info({ environment, outcome: check.outcome.kind }, 'pull request check reported');
  }
  return { requeue: { policy: 'settled' }, head, environments: affected.environments };
}

/**
 * The manifests of the tracked branch the pull request merges into, as last fetched (the pull
 * request's fetch brings the branch too); undefined when they cannot be read or do not validate,
 * and then every environment a changed manifest could concern is planned.
 */
async function baseManifests(deps: PullRequestContext): Promise<ManifestSet | undefined> {
  const commit = await deps.source.branchCommit();
  if (commit === undefined) return undefined;
  const loaded = await deps.source.load(commit).catch(() => undefined);
  return loaded && loaded.errors.length === 0 ? loaded.set : undefined;
}

interface EnvironmentInput {
  number: number;
  head: string;
  author: string;
  reviews: Review[];
  environment: string;
  loaded: Awaited<ReturnType<PullRequestContext['source']['load']>>;
  problems: EnvironmentCheck['problems'];
}

async function planEnvironment(deps: PullRequestContext, input: EnvironmentInput): Promise<EnvironmentCheck> {
  const base = { environment: input.environment, event: 'pull_request' as const, commit: input.head, pullRequest: input.number, problems: input.problems };
  const { loaded } = input;
  if (loaded.errors.length > 0) {
    const errors = input.problems.filter((p) => p.severity === 'error').length;
    const message = `${errors} ${errors === 1 ? 'problem' : 'problems'} in the manifests of this environment (${loaded.errors.length} in all); nothing can be applied`;
    return { ...base, outcome: { kind: 'ValidationFailed', message }, interfaceChanges: {} };
  }
  const object = loaded.set.environments.find((e) => e.manifest.metadata.name === input.environment);
  if (!object) {
    // The pull request removes the environment: nothing of it is planned.
    return { ...base, outcome: { kind: 'Suspended' }, interfaceChanges: {} };
  }
  const trusted = deps.trustedEnvironment(input.environment);
  if (!trusted) return { ...base, outcome: { kind: 'Planned', pending: 0, drifted: [] }, interfaceChanges: {}, newEnvironment: true };
  const report = await reconcileEnvironment({ kind: 'Environment', name: input.environment }, {
    load: async () => ({ ...loaded, commit: input.head }),
    ...(deps.artifactCache ? { artifactCache: deps.artifactCache } : {}),
    // The policy and pins are the pull request's to propose; how the environment is reached is not.
    openDriver: () => deps.openDriver(trusted),
    mode: 'plan',
    trigger: 'manual',
    approvals: async () => [],
    // Plans stop before the gate: promotion is not asked.
    promotionReady: async () => false,
    holder: deps.holder,
    leaseTtlMs: deps.leaseTtlMs,
  });
  const policy = environmentPolicy(object.manifest);
  const approvals = countApprovals(input.reviews, { number: input.number, headSha: input.head, author: input.author }, {
    required: policy.requiredApprovals,
    approvers: policy.approvers,
  });
  const check: EnvironmentCheck = {
    ...base,
    problems: [...input.problems, ...report.problems],
    outcome: report.outcome,
    interfaceChanges: report.interfaceChanges ?? {},
    ...(approvals.required > 0 ? { approvals } : {}),
  };
  if (!report.plan) return check;
  // What the gate will say once this is merged: approvals are those of this pull request now; a
  // promotion cannot be known before merging, and autoApply only decides who applies.
  const decision = gate({
    plan: report.plan,
    policy: { autoApply: true, requiredApprovals: approvals.required, approvers: approvals.approvers },
    trigger: 'manual',
    approvals: approvals.counted,
  });
  const outcome: ReconcileOutcome =
    !decision.allowed && decision.reason !== 'BreakingChangeRefused' && decision.reason !== 'PruneRefused'
      ? { kind: 'Waiting', reason: decision.reason, message: decision.message, pending: report.plan.actions.length }
      : report.outcome;
  return { ...check, plan: report.plan, decision, outcome };
}
