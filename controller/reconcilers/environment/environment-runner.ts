import type { ArtifactCache } from '../../artifact/build-artifact.ts';
import { createGenerationCache } from '../../artifact/generation-cache.ts';
import { isReadyAt, type EnvironmentStatus } from '../../core/environment-status.ts';
import { finalize, type Finalized } from '../../core/finalize.ts';
import type { LoadedObject } from '../../core/manifest.ts';
import type { Environment } from '../../generated/manifests.ts';
import type { EnvironmentContext, LoadedManifests } from './environment-context.ts';
import { reconcileEnvironment, type ReconcileReport } from './reconcile-environment.ts';

export interface EnvironmentRunnerOptions {
  /** Loads the manifests; called once, whatever number of environments is reconciled. */
  load: () => Promise<LoadedManifests>;
  openDriver: EnvironmentContext['openDriver'];
  trigger: EnvironmentContext['trigger'];
  /** Approvals of the commit; none when left out (a person running intctl apply has no pull request at hand). */
  approvals?: (environment: LoadedObject<Environment>, commit: string) => Promise<readonly string[]>;
  holder: string;
  leaseTtlMs: number;
  /** Artifacts by content hash, shared by every reconcile of the runner; a new one, sharing generations in memory, when left out. */
  artifactCache?: ArtifactCache;
  /** Progress of generation, per environment: for a progress line. */
  onGenerate?: EnvironmentContext['onGenerate'];
  now?: () => Date;
}

export interface RunResult {
  report: ReconcileReport;
  /** What finalize made of the outcome: the status, and whether the reconcile succeeded. */
  finalized: Finalized;
}

export interface EnvironmentRunner {
  /** One reconcile of one environment; its status is kept for the environments that promote from it. */
  reconcile(environment: string, mode: EnvironmentContext['mode'], onAction?: EnvironmentContext['onAction']): Promise<RunResult>;
  status(environment: string): EnvironmentStatus | undefined;
}

/**
 * The environment reconciler outside the controller, for `intctl plan|apply` and the demo: the
 * manifests loaded once and the artifacts generated once for all the environments it reconciles,
 * and a status per environment from finalize, as the controller keeps them. Promotion asks the
 * same question as in the controller (isReadyAt over the upstream's status at the commit); where
 * the upstream was not reconciled here, its status comes from planning it (Ready when it has
 * nothing left to do at the commit).
 */
export function createEnvironmentRunner(options: EnvironmentRunnerOptions): EnvironmentRunner {
  const now = options.now ?? (() => new Date());
  const artifactCache = options.artifactCache ?? Object.assign(new Map(), { generations: createGenerationCache() });
  const statuses = new Map<string, EnvironmentStatus>();
  let loading: Promise<LoadedManifests> | undefined;
  const load = (): Promise<LoadedManifests> => (loading ??= options.load());

  const run = async (environment: string, mode: EnvironmentContext['mode'], onAction?: EnvironmentContext['onAction']): Promise<RunResult> => {
    const ctx: EnvironmentContext = {
      load,
      openDriver: options.openDriver,
      mode,
      trigger: options.trigger,
      approvals: options.approvals ?? (async () => []),
      promotionReady,
      holder: options.holder,
      leaseTtlMs: options.leaseTtlMs,
      artifactCache,
      ...(onAction ? { onAction } : {}),
      ...(options.onGenerate ? { onGenerate: options.onGenerate } : {}),
    };
    const report = await reconcileEnvironment({ kind: 'Environment', name: environment }, ctx);
    const finalized = finalize({ environment, outcome: report.outcome, commit: report.commit }, statuses.get(environment), now(), { waitingMs: 0, leaseHeldMs: 0 });
    statuses.set(environment, finalized.status);
    return { report, finalized };
  };

  async function promotionReady(from: string, commit: string): Promise<boolean> {
    const known = statuses.get(from);
    if (known?.observedCommit === commit) return isReadyAt(known, commit);
    return isReadyAt((await run(from, 'plan')).finalized.status, commit);
  }

  return { reconcile: run, status: (environment) => statuses.get(environment) };
}
