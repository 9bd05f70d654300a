import type { GateDecision } from '../core/gate.ts';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { LoadedObject, ManifestSet } from '../core/manifest.ts';
import type { Plan } from '../core/plan.ts';
import { formatProblem } from '../core/problem.ts';
import type { Environment } from '../generated/manifests.ts';
import type { ReconcileReport } from '../reconcilers/environment/reconcile-environment.ts';

/** What one reconcile of an environment found, kept for the dashboard: its plan, its gate, its problems. Nothing secret. */
export interface EnvironmentRecord {
  environment: string;
  commit?: string;
  object?: LoadedObject<Environment>;
  plan?: Plan;
  /** Whether the plan was applied (nothing pending) or waits. */
  applied: boolean;
  decision?: GateDecision;
  /** Users whose approvals counted, when the gate asked. */
  approvals?: string[];
  problems: string[];
  durationMs: number;
  at: string;
}

/** A change the dashboard's event stream announces. */
export interface DashboardEvent {
  environment: string;
  observedCommit?: string;
  ready: string;
  reason: string;
}

export interface DashboardStore {
  /** Takes note of a finished reconcile and tells the subscribers when the environment's status changed. */
  record(report: ReconcileReport, extra: { durationMs: number; approvals?: string[]; at: string }): void;
  environment(name: string): EnvironmentRecord | undefined;
  /** The manifests of the newest valid commit seen (the last one seen when none was valid), and that commit. */
  manifests(): { commit: string; set: ManifestSet } | undefined;
  /** The newest commit of the tracked branch a reconcile looked at. */
  head(): string | undefined;
  statuses(): EnvironmentStatus[];
  /** Grows at every change: views computed at one version hold until the next. */
  version(): number;
  subscribe(listener: (event: DashboardEvent) => void): () => void;
}

/** Problems kept per environment: enough to say why, not a copy of a broken repository. */
const MAX_PROBLEMS = 50;

/**
 * The dashboard's memory of the controller: the last reconcile of each environment, beside the
 * statuses the controller keeps (read through `statuses`). Fed by the environment worker after
 * each reconcile; read by the dashboard's routes.
 */
export function createDashboardStore(statuses: () => EnvironmentStatus[]): DashboardStore {
  const records = new Map<string, EnvironmentRecord>();
  const listeners = new Set<(event: DashboardEvent) => void>();
  const seen = new Map<string, string>();
  let manifests: { commit: string; set: ManifestSet; valid: boolean } | undefined;
  let head: string | undefined;
  let version = 0;

  return {
    record(report, extra) {
      const loaded = report.loaded;
      if (loaded) {
        const valid = loaded.errors.length === 0;
        if (valid || !manifests?.valid) manifests = { commit: loaded.commit, set: loaded.set, valid };
        head = loaded.commit;
      }
      // Nothing was loaded (the fetch failed): what the last reconcile found still stands; only the status is news.
      if (loaded) records.set(report.environment, recordOf(report, extra));
      version++;
      const status = statuses().find((s) => s.environment === report.environment);
      const ready = status?.conditions.find((c) => c.type === 'Ready');
      const event: DashboardEvent = {
        environment: report.environment,
        ...(status?.observedCommit ? { observedCommit: status.observedCommit } : {}),
        ready: ready?.status ?? 'Unknown',
        reason: ready?.reason ?? 'Unknown',
      };
      // A reconcile that changed nothing but its time is not news.
      const key = JSON.stringify(status ? { ...status, lastReconcileTime: undefined } : null);
      if (seen.get(report.environment) === key) return;
      seen.set(report.environment, key);
      for (const listener of listeners) listener(event);
    },
    environment: (name) => records.get(name),
    manifests: () => (manifests ? { commit: manifests.commit, set: manifests.set } : undefined),
    head: () => head,
    statuses,
    version: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function recordOf(report: ReconcileReport, extra: { durationMs: number; approvals?: string[]; at: string }): EnvironmentRecord {
  return {
    environment: report.environment,
    ...(report.commit ? { commit: report.commit } : {}),
    ...(report.object ? { object: report.object } : {}),
    ...(report.plan ? { plan: report.plan } : {}),
    applied: report.outcome.kind === 'Applied' || (report.plan?.actions.length ?? 0) === 0,
    ...(report.decision ? { decision: report.decision } : {}),
    ...(extra.approvals ? { approvals: extra.approvals } : {}),
    problems: report.problems.slice(0, MAX_PROBLEMS).map(formatProblem),
    durationMs: extra.durationMs,
    at: extra.at,
  };
}
