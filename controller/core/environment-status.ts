import type { ReconcileOutcome } from './reconcile-outcome.ts';
import type { ReconcileTrigger } from './reconcile-trigger.ts';
import type { Condition } from '../generated/manifests.ts';

/** What `status/<environment>.yaml` holds. Nothing secret: connection secrets appear only as fingerprints. */
export interface EnvironmentStatusDocument {
  environment: string;
  observedCommit: string;
  conditions: Condition[];
  /** The actions of the last plan applied, as `type target (reason)` lines, and the trigger that started the reconcile that applied it. */
  lastApplied?: { commit: string; at: string; trigger?: ReconcileTrigger; actions: string[] };
  /** What is published now, from the environment's observed state. */
  published: Array<{ integration: string; version: string; artifactHash: string; commit: string }>;
}

/** What the controller knows of one environment after its last reconcile; served by /api/v1/status. */
export interface EnvironmentStatus {
  environment: string;
  conditions: Condition[];
  /** The commit the last reconcile looked at (the last one fetched, if a fetch failed since). */
  observedCommit?: string;
  /** ISO 8601: when the last reconcile ended, and when one last ended Ready. */
  lastReconcileTime: string;
  lastSuccessfulReconcileTime?: string;
  outcome: ReconcileOutcome['kind'];
  lastApplied?: EnvironmentStatusDocument['lastApplied'];
  published: EnvironmentStatusDocument['published'];
}

/** Ready=True at exactly this commit: what an environment promoting from this one waits for. */
export function isReadyAt(status: EnvironmentStatus | undefined, commit: string): boolean {
  if (!status || status.observedCommit !== commit) return false;
  return status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The reason of the Ready condition: what metrics and logs name an outcome by. */
export function readyReason(conditions: readonly Condition[]): string {
  return conditions.find((c) => c.type === 'Ready')?.reason ?? 'Unknown';
}

/** `status/<environment>.yaml` for a status; none before a commit was ever observed. */
export function documentOf(status: EnvironmentStatus): EnvironmentStatusDocument | undefined {
  if (status.observedCommit === undefined) return undefined;
  return {
    environment: status.environment,
    observedCommit: status.observedCommit,
    conditions: status.conditions,
    ...(status.lastApplied ? { lastApplied: status.lastApplied } : {}),
    published: status.published,
  };
}
