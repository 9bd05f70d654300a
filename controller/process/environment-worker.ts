import type { ArtifactCache } from '../artifact/build-artifact.ts';
import { actionTarget } from '../core/describe-action.ts';
import { isReadyAt, type EnvironmentStatus } from '../core/environment-status.ts';
import { messageOf } from '../core/errors.ts';
import { finalize, type Finalized } from '../core/finalize.ts';
import type { LoadedObject } from '../core/manifest.ts';
import { formatProblem, type Problem } from '../core/problem.ts';
import { triggerOfReason, type ReconcileTrigger } from '../core/reconcile-trigger.ts';
import type { ReconcileOutcome } from '../core/reconcile-outcome.ts';
import type { RequeueDelays } from '../core/requeue.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import type { Environment } from '../generated/manifests.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';
import type { StatusTransition } from '../notifications/events-of-transition.ts';
import type { EnvironmentContext } from '../reconcilers/environment/environment-context.ts';
import { publishedAndApplied } from '../reconcilers/environment/published-and-applied.ts';
import { reconcileEnvironment, type ReconcileReport } from '../reconcilers/environment/reconcile-environment.ts';
import { UnknownEnvironmentError } from '../reconcilers/environment/unknown-environment-error.ts';
import type { ReconcileRequest, ReconcileResult } from '../reconcilers/reconciler.ts';
import type { ApprovalSummary } from '../reporting/github/check-report.ts';
import type { StatusReporter } from '../reporting/status-branch/report-status.ts';
import type { LoadedCommit } from '../source/git-source.ts';
import type { TrackedSource } from '../source/tracked-source.ts';
import type { ControllerGithub } from './controller-github.ts';
import type { ShardOwnership } from './shard-ownership.ts';

export interface EnvironmentWorkerDeps {
  source: TrackedSource;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  ownership: ShardOwnership;
  /** The last status of each environment, as finalize made it. */
  statuses: Map<string, EnvironmentStatus>;
  /** Takes note of a valid commit's environments (ownership, forgetting); those gained are enqueued with `reason`. */
  learn: (commit: LoadedCommit, reason: string | undefined) => void;
  forget: (environment: string) => void;
  /** Queues environments that promote from one that became Ready, saying why. */
  enqueue: (environments: readonly string[], reason: string) => void;
  reporter: StatusReporter;
  github?: ControllerGithub;
  artifactCache: ArtifactCache;
  holder: string;
  leaseTtlMs: number;
  delays: RequeueDelays;
  logger: Logger;
  metrics: ControllerMetrics;
  now: () => Date;
  newId: () => string;
  /** Told of every status a reconcile ends with (notifications); must return at once. */
  onStatus?: (transition: StatusTransition) => void;
  /** Told after each reconcile that got as far as a report, once its status is set (the dashboard). */
  onReconciled?: (report: ReconcileReport, extra: { durationMs: number; approvals?: string[]; at: string }) => void;
}

const SETTLED: ReconcileResult = { requeue: { policy: 'settled' } };

/**
 * The controller's handler of an Environment request: fetch the tracked branch and load its tip
 * (shared by every environment through the tracked source), reconcile with the environment
 * reconciler, then finalize the outcome once and feed every reporter from that: the status (and its
 * commit on the status branch), GitHub, metrics and logs. An environment that became Ready queues
 * those that promote from it.
 */
export function createEnvironmentWorker(deps: EnvironmentWorkerDeps): (request: ReconcileRequest, reason: string | undefined) => Promise<ReconcileResult> {
  return async (request, reason) => {
    const environment = request.name;
    const started = performance.now();
    const trigger: ReconcileTrigger = reason === undefined ? { kind: 'other' } : triggerOfReason(reason);
    let log = deps.logger.child({ environment, reconcileId: deps.newId(), trigger: trigger.kind });
    // Queued before the shards changed: its new owner reconciles it.
    if (deps.ownership.isKnown(environment) && !deps.ownership.owns(environment)) return notOwned(log);
    log.debug('reconcile started');
    const loaded = await loadTip(deps);
    if ('outcome' in loaded) {
      const failed = await complete(deps, log, started, { environment, outcome: loaded.outcome, commit: undefined });
      deps.onReconciled?.({ environment, problems: [], outcome: loaded.outcome }, { durationMs: Math.round(performance.now() - started), at: deps.now().toISOString() });
      return failed;
    }
    log = log.child({ commit: loaded.commit });
    if (loaded.errors.length === 0) {
      deps.learn(loaded, reason);
      if (!deps.ownership.isKnown(environment)) {
        log.info('the environment is no longer in the repository; forgotten');
        return SETTLED;
      }
      if (!deps.ownership.owns(environment)) return notOwned(log);
    }
    let approvals: ApprovalSummary | undefined;
    let report: ReconcileReport;
    try {
      report = await reconcileEnvironment(request, contextFor(deps, log, loaded, (a) => (approvals = a)));
    } catch (error) {
      if (!(error instanceof UnknownEnvironmentError)) throw error;
      deps.forget(environment);
      return SETTLED;
    }
    if (report.problems.length > 0) log.warn({ problems: report.problems.slice(0, 20).map(formatProblem) }, problemsMessage(report.outcome));
    const reported = { ...report, commit: loaded.commit };
    const object = report.object;
    const extra = object && report.outcome.kind !== 'Suspended'
      ? withTrigger(await publishedAndApplied(reported, () => deps.openDriver(object), deps.statuses.get(environment), deps.now(), log), report, trigger)
      : {};
    const done = await complete(deps, log, started, { environment, outcome: report.outcome, commit: loaded.commit, ...extra }, object?.manifest);
    deps.onReconciled?.(reported, { durationMs: Math.round(performance.now() - started), ...(approvals ? { approvals: approvals.counted } : {}), at: deps.now().toISOString() });
    await deps.github?.reportPush(reported, problemsOf(loaded, report), approvals, log);
    // The shards changed while it ran: the new owner reports it from now on.
    if (!deps.ownership.owns(environment)) deps.forget(environment);
    if (report.outcome.kind === 'Applied') deps.enqueue(deps.ownership.downstream(environment), `promotion from ${environment}`);
    return done;
  };
}

/** The status after a reconcile that applied a plan says which trigger started that apply; an earlier apply, carried over, keeps its own. */
function withTrigger<T extends Pick<EnvironmentStatus, 'lastApplied'>>(extra: T, report: ReconcileReport, trigger: ReconcileTrigger): T {
  const appliedNow = report.apply?.status === 'Applied' && report.apply.applied > 0;
  if (!appliedNow || !extra.lastApplied) return extra;
  return { ...extra, lastApplied: { ...extra.lastApplied, trigger } };
}

/** Fetches and loads the tip; a failure is the outcome of the reconcile. */
async function loadTip(deps: EnvironmentWorkerDeps): Promise<LoadedCommit | { outcome: ReconcileOutcome }> {
  let commit: string;
  try {
    commit = await deps.source.fetch();
  } catch (error) {
    return { outcome: { kind: 'GitFetchFailed', message: messageOf(error) } };
  }
  try {
    return await deps.source.load(commit);
  } catch (error) {
    return { outcome: { kind: 'GitFetchFailed', message: `cannot read commit ${commit}: ${messageOf(error)}` } };
  }
}

/** The environment reconciler's context in the controller: the loaded tip, GitHub's approvals, the statuses it promotes from. */
function contextFor(deps: EnvironmentWorkerDeps, log: Logger, loaded: LoadedCommit, onApprovals: (a: ApprovalSummary | undefined) => void): EnvironmentContext {
  const github = deps.github;
  return {
    load: async () => loaded,
    openDriver: deps.openDriver,
    mode: 'apply',
    trigger: 'automatic',
    // Read from GitHub only if the gate asks; kept for the check run on the commit.
    approvals: async (object, commit) => {
      if (!github) return [];
      const summary = await github.approvals(object, commit, log);
      onApprovals(summary);
      return summary?.counted ?? [];
    },
    promotionReady: async (from, commit) => isReadyAt(deps.statuses.get(from), commit),
    holder: deps.holder,
    leaseTtlMs: deps.leaseTtlMs,
    artifactCache: deps.artifactCache,
    onAction: (action, outcome, index, total) =>
      log.info({ action: action.type, target: actionTarget(action), result: outcome, step: index + 1, of: total }, 'action applied'),
  };
}

/** Finalizes once, and feeds the status, metrics and logs from it. */
async function complete(
  deps: EnvironmentWorkerDeps,
  log: Logger,
  started: number,
  input: Parameters<typeof finalize>[0],
  manifest?: Environment,
): Promise<ReconcileResult> {
  const previous = deps.statuses.get(input.environment);
  const done = finalize(input, previous, deps.now(), deps.delays);
  deps.statuses.set(input.environment, done.status);
  record(deps, log, started, input.outcome, done);
  deps.onStatus?.({ previous, status: done.status, outcome: input.outcome, ...(manifest ? { manifest } : {}) });
  await deps.reporter.write(done.status, log);
  return { requeue: done.requeue };
}

function record(deps: EnvironmentWorkerDeps, log: Logger, started: number, outcome: ReconcileOutcome, done: Finalized): void {
  const environment = done.status.environment;
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.reconcileDuration.observe({ environment, outcome: outcome.kind }, seconds);
  const fields = {
    outcome: outcome.kind,
    reason: done.event.reason,
    durationMs: Math.round(seconds * 1000),
    requeue: done.requeue.policy,
    ...('message' in outcome ? { detail: outcome.message } : {}),
  };
  if (done.event.type === 'Warning') {
    deps.metrics.errors.inc({ reason: done.event.reason });
    log.warn(fields, 'reconcile ended with an error');
    return;
  }
  log.info({ ...fields, ...(outcome.kind === 'Applied' ? { applied: outcome.applied } : {}) }, 'reconcile finished');
}

/** What the check on the commit shows: the manifests' own problems (warnings too), and what generation found. */
function problemsOf(loaded: LoadedCommit, report: ReconcileReport): Problem[] {
  if (report.outcome.kind === 'ValidationFailed') return loaded.problems;
  return [...loaded.problems, ...report.problems];
}

function problemsMessage(outcome: ReconcileOutcome): string {
  return outcome.kind === 'ValidationFailed' ? 'the manifests are not valid; nothing applied' : 'problems found';
}

function notOwned(log: Logger): ReconcileResult {
  log.debug('owned by another shard; skipped');
  return SETTLED;
}
