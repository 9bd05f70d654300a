import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { gitRepository } from '../source/git-repository.ts';
import type { Config } from '../config/read-config.ts';
import { openDriver } from '../environments/open-driver.ts';
import { formatPlan, shortCommit } from '../reporting/format-plan.ts';
import { loadAndValidate } from '../load/load-and-validate.ts';
import { promotionOrder } from '../core/promotion-order.ts';
import { createEnvironmentRunner } from '../reconcilers/environment/environment-runner.ts';
import type { ReconcileReport } from '../reconcilers/environment/reconcile-environment.ts';

export interface DemoOptions {
  /** The example repository to copy. */
  examples: string;
  config: Pick<Config, 'holder' | 'leaseTtlMs'>;
  write: (text: string) => void;
  now?: () => Date;
  /** Where to put the throwaway repository and state; a new temporary directory by default. */
  workDir?: string;
}

/**
 * The README's demo: the example repository becomes a throwaway Git repository, and each of its
 * environments is reconciled at its commit, in promotion order, as the controller would: the
 * plan, then the outcome and the status conditions. A protected environment stops at its gate.
 */
export async function runDemo(options: DemoOptions): Promise<{ repo: string; stateDir: string; reports: ReconcileReport[] }> {
  const { write } = options;
  const now = options.now ?? (() => new Date());
  const work = options.workDir ?? (await mkdtemp(join(tmpdir(), 'intctl-demo-')));
  const repo = join(work, 'repo');
  const stateDir = join(work, 'state');
  await cp(options.examples, repo, { recursive: true });
  const git = simpleGit({ baseDir: repo });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'intctl demo').addConfig('user.email', 'demo@intctl.invalid').addConfig('commit.gpgsign', 'false');
  await git.add('.');
  await git.commit('Integrations, connections and environments of the example');
  const commit = (await git.revparse(['HEAD'])).trim();
  write(`A throwaway Git repository of the examples: ${repo} (commit ${shortCommit(commit)})\n`);
  write(`Embedded environments keep their SQLite files in ${stateDir}\n`);

  const reader = await gitRepository(repo, commit);
  const loaded = await loadAndValidate(reader);
  if (loaded.errors.length > 0) throw new Error(`the examples do not validate: ${loaded.errors.length} problems (run intctl validate --repo examples)`);
  const config = { stateDir };
  const runner = createEnvironmentRunner({
    load: async () => ({ commit, reader, ...loaded }),
    openDriver: (env) => openDriver(env.manifest, config),
    trigger: 'automatic',
    holder: options.config.holder,
    leaseTtlMs: options.config.leaseTtlMs,
    now,
  });
  const reports: ReconcileReport[] = [];
  for (const environment of promotionOrder(loaded.set.environments)) {
    const name = environment.manifest.metadata.name;
    write(`\n=== ${name} ${'='.repeat(Math.max(0, 60 - name.length))}\n`);
    const { report, finalized } = await runner.reconcile(name, 'apply');
    reports.push(report);
    if (report.plan) write(formatPlan(report.plan, commit));
    write('\nStatus:\n');
    for (const c of finalized.status.conditions) write(`  ${c.type}=${c.status}  ${c.reason}: ${c.message}\n`);
  }

  write(`
What to try next:
  npx intctl get integrations --env dev --repo ${repo} --state-dir ${stateDir}
  npx intctl plan --env prod --repo ${repo} --state-dir ${stateDir}
      (prod waits for two approving reviews; pull requests bring those in)
  edit ${join(repo, 'integrations', 'crm.yaml')} (drop an operation), then
  npx intctl plan --env dev --repo ${repo} --state-dir ${stateDir}
      (the removed action shows as a breaking change)
  echo -n 's3cret' | npx intctl seal --env prod --repo ${repo} --state-dir ${stateDir}
  npx intctl validate --repo examples
`);
  return { repo, stateDir, reports };
}

export { promotionOrder } from '../core/promotion-order.ts';
