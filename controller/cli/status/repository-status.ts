import { describeAction } from '../../core/describe-action.ts';
import { finalize } from '../../core/finalize.ts';
import type { ReconcileOutcome } from '../../core/reconcile-outcome.ts';
import { loadAndValidate } from '../../load/load-and-validate.ts';
import { createEnvironmentRunner } from '../../reconcilers/environment/environment-runner.ts';
import type { ReconcileReport } from '../../reconcilers/environment/reconcile-environment.ts';
import { cliArtifactCache, openEnvironment, type Workspace } from '../workspace.ts';
import { promotionOrder, type EnvironmentView, type StatusView } from './status-view.ts';

/**
 * The status of every environment of the repository, as the controller would report it if it
 * reconciled now: each environment planned, in promotion order, against what its store holds
 * (opened read-only: a store that does not exist yet is not created), the gate asked as for an
 * automatic apply, and the commit each is at from its action log. Nothing is applied.
 */
export async function repositoryStatus(workspace: Workspace, from: string, options: { cache: boolean }): Promise<StatusView> {
  const loaded = await loadAndValidate(workspace.reader);
  const ordered = promotionOrder(loaded.set.environments, (e) => e.manifest.metadata.name, (e) => e.manifest.spec.promotesFrom);
  const runner = createEnvironmentRunner({
    load: async () => ({ commit: workspace.commit, reader: workspace.reader, ...loaded }),
    openDriver: (env) => openEnvironment(env.manifest, workspace.config, { create: false }),
    trigger: 'automatic',
    holder: workspace.config.holder,
    leaseTtlMs: workspace.config.leaseTtlMs,
    artifactCache: cliArtifactCache(workspace.config, options.cache),
  });
  const environments: EnvironmentView[] = [];
  for (const object of ordered) {
    const manifest = object.manifest;
    const name = manifest.metadata.name;
    const { report } = await runner.reconcile(name, 'plan');
    const outcome = controllerOutcome(report);
    const { status } = finalize({ environment: name, outcome, commit: report.commit }, undefined, new Date(), { waitingMs: 0, leaseHeldMs: 0 });
    const observedCommit = await lastAppliedCommit(workspace, manifest);
    const actions = report.plan?.actions ?? [];
    const described = actions.map(describeAction);
    environments.push({
      name,
      ...(manifest.spec.promotesFrom !== undefined ? { promotesFrom: manifest.spec.promotesFrom } : {}),
      suspended: manifest.spec.suspend === true,
      conditions: status.conditions,
      outcome: outcome.kind,
      ...(observedCommit !== undefined ? { observedCommit } : {}),
      ...(report.plan ? { pending: { actions: actions.length, breaking: described.filter((d) => d.breaking).length, destructive: described.filter((d) => d.destructive).length } } : {}),
      ...(report.decision ? { gate: { allowed: report.decision.allowed, reason: report.decision.reason, ...('message' in report.decision ? { message: report.decision.message } : {}) } } : {}),
    });
  }
  return { source: 'repository', from, head: workspace.commit, environments };
}

/** What the controller's reconcile would end with: a plan the gate holds back is Waiting or Blocked, as it would be there. */
function controllerOutcome(report: ReconcileReport): ReconcileOutcome {
  const { outcome, decision, plan } = report;
  if (outcome.kind !== 'Planned' || !decision || decision.allowed) return outcome;
  if (decision.reason === 'BreakingChangeRefused' || decision.reason === 'PruneRefused') return { kind: 'Blocked', reason: decision.reason, message: decision.message };
  return { kind: 'Waiting', reason: decision.reason, message: decision.message, pending: plan?.actions.length ?? 0 };
}

/** The commit of the newest entry of the environment's action log; undefined when nothing was applied or the store cannot be opened. */
async function lastAppliedCommit(workspace: Workspace, manifest: Parameters<typeof openEnvironment>[0]): Promise<string | undefined> {
  const driver = await openEnvironment(manifest, workspace.config, { create: false }).catch(() => undefined);
  if (!driver) return undefined;
  try {
    return (await driver.actionLog()).at(-1)?.commit;
  } catch {
    return undefined;
  } finally {
    await driver.close();
  }
}
