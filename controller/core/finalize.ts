import type { Condition } from '../generated/manifests.ts';
import type { EnvironmentStatus } from './environment-status.ts';
import type { ReconcileOutcome } from './reconcile-outcome.ts';
import type { Requeue, RequeueDelays } from './requeue.ts';

/** What a reconcile of one environment ended with, as the reporters need it. */
export interface ReconcileResultInput {
  environment: string;
  outcome: ReconcileOutcome;
  /** The commit it looked at; none when not even a commit could be fetched (the previous status's then stands). */
  commit: string | undefined;
  /** What the environment holds after it, and what it applied; the previous status's when left out. */
  published?: EnvironmentStatus['published'];
  lastApplied?: EnvironmentStatus['lastApplied'];
}

/** Why a check on the commit ends as it does, before GitHub's words (conclusion, title) are chosen. */
export type Verdict =
  | { kind: 'Failed'; cause: 'ValidationFailed' | 'GenerationFailed' | 'GitFetchFailed' | 'ApplyFailed'; reason: string; message: string }
  | { kind: 'Refused'; message: string; reason?: 'BreakingChangeRefused' | 'PruneRefused' }
  | { kind: 'Waiting'; reason: 'AwaitingApproval' | 'ManualApplyRequired' | 'AwaitingPromotion'; message: string }
  | { kind: 'LeaseHeld'; message: string }
  | { kind: 'Suspended' }
  | { kind: 'Clean' };

export interface Finalized {
  status: EnvironmentStatus;
  /** Ready=True: the environment is in step with Git at the commit. */
  ready: boolean;
  /** Whether and when the environment's key runs again. */
  requeue: Requeue;
  /** For logs, metrics and events: a Warning is a failure a person or a retry must clear. */
  event: { type: 'Normal' | 'Warning'; reason: string; message: string };
  verdict: Verdict;
  /** The reconcile did what it was asked (applied, planned, or nothing to do); a CLI exits 0 on it. */
  succeeded: boolean;
}

type ConditionType = Condition['type'];
type ConditionSpec = [ConditionType, Condition['status'], string, string];

interface Facets {
  conditions: ConditionSpec[];
  requeue: Requeue;
  warning: boolean;
  verdict: Verdict;
  succeeded: boolean;
}

/**
 * Everything that follows from how one reconcile ended, in one place: the environment's status and
 * its conditions (Ready always; Reconciling, Stalled, AwaitingApproval, Drifted and
 * CertificatesExpiring while true, so an absent one is False, as the metrics count it; a
 * condition keeps its lastTransitionTime while its status stays the same, as Kubernetes
 * conditions do), the requeue, the event and the verdict of a check. The status branch, GitHub,
 * metrics, logs and the CLI's exit code are all fed from it. Pure: the clock is an argument.
 */
export function finalize(input: ReconcileResultInput, previous: EnvironmentStatus | undefined, now: Date, delays: RequeueDelays): Finalized {
  const facets = facetsOf(input.outcome, delays);
  const at = now.toISOString();
  const commit = input.commit ?? previous?.observedCommit;
  const conditions = facets.conditions.map(([type, status, reason, message]) => {
    const before = previous?.conditions.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : at;
    return { type, status, reason, message, ...(commit ? { observedCommit: commit } : {}), lastTransitionTime };
  });
  const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  const successful = ready ? at : previous?.lastSuccessfulReconcileTime;
  const lastApplied = input.lastApplied ?? previous?.lastApplied;
  const status: EnvironmentStatus = {
    environment: input.environment,
    conditions,
    ...(commit ? { observedCommit: commit } : {}),
    lastReconcileTime: at,
    ...(successful ? { lastSuccessfulReconcileTime: successful } : {}),
    outcome: input.outcome.kind,
    published: input.published ?? previous?.published ?? [],
    ...(lastApplied ? { lastApplied } : {}),
  };
  const readyCondition = conditions.find((c) => c.type === 'Ready')!;
  return {
    status,
    ready,
    requeue: facets.requeue,
    event: { type: facets.warning ? 'Warning' : 'Normal', reason: readyCondition.reason, message: readyCondition.message },
    verdict: facets.verdict,
    succeeded: facets.succeeded,
  };
}

/** The verdict of an outcome alone (a pull request's check adds its problems and gate to it). */
export function verdictOfOutcome(outcome: ReconcileOutcome): Verdict {
  return facetsOf(outcome, { waitingMs: 0, leaseHeldMs: 0 }).verdict;
}

/** The one mapping from an outcome to its conditions, requeue, severity and verdict. */
function facetsOf(outcome: ReconcileOutcome, delays: RequeueDelays): Facets {
  const settled: Requeue = { policy: 'settled' };
  const needsHuman: Requeue = { policy: 'needs-human' };
  switch (outcome.kind) {
    case 'Applied': {
      const done = outcome.applied === 0 ? 'in step with Git' : `applied ${counted(outcome.applied, 'action')}`;
      const warnings = outcome.warnings ?? [];
      const message = warnings.length === 0 ? done : `${done}; ${warnings.join('; ')}`;
      return { conditions: [['Ready', 'True', 'ReconciliationSucceeded', message], ...drift(outcome.drifted), ...expiring(warnings)], requeue: settled, warning: warnings.length > 0, verdict: { kind: 'Clean' }, succeeded: true };
    }
    case 'Planned': {
      const ready: ConditionSpec = outcome.pending === 0
        ? ['Ready', 'True', 'ReconciliationSucceeded', 'in step with Git']
        : ['Ready', 'False', 'ChangesPending', `${counted(outcome.pending, 'action')} to apply`];
      return { conditions: [ready, ...drift(outcome.drifted)], requeue: settled, warning: false, verdict: { kind: 'Clean' }, succeeded: true };
    }
    case 'Suspended':
      return { conditions: [['Ready', 'Unknown', 'Suspended', 'reconciliation is suspended']], requeue: settled, warning: false, verdict: { kind: 'Suspended' }, succeeded: true };
    case 'ValidationFailed':
    case 'GenerationFailed':
      return {
        conditions: [['Ready', 'False', outcome.kind, outcome.message], ['Stalled', 'True', outcome.kind, outcome.message]],
        requeue: needsHuman,
        warning: true,
        verdict: { kind: 'Failed', cause: outcome.kind, reason: outcome.kind, message: outcome.message },
        succeeded: false,
      };
    case 'GitFetchFailed':
      return {
        conditions: [['Ready', 'False', 'GitFetchFailed', outcome.message], ['Reconciling', 'True', 'GitFetchFailed', 'retrying the fetch']],
        requeue: { policy: 'transient' },
        warning: true,
        verdict: { kind: 'Failed', cause: 'GitFetchFailed', reason: 'GitFetchFailed', message: outcome.message },
        succeeded: false,
      };
    case 'Blocked':
      return {
        conditions: [['Ready', 'False', outcome.reason, outcome.message], ['Stalled', 'True', outcome.reason, outcome.message]],
        requeue: needsHuman,
        warning: true,
        verdict: { kind: 'Refused', message: outcome.message, ...(outcome.reason === 'PruneRefused' ? { reason: outcome.reason } : {}) },
        succeeded: false,
      };
    case 'Waiting': {
      const conditions: ConditionSpec[] = [['Ready', 'False', outcome.reason, `${counted(outcome.pending, 'pending action')}; ${outcome.message}`]];
      if (outcome.reason === 'AwaitingApproval') conditions.push(['AwaitingApproval', 'True', 'AwaitingApproval', outcome.message]);
      return { conditions, requeue: { policy: 'waiting', afterMs: delays.waitingMs }, warning: false, verdict: { kind: 'Waiting', reason: outcome.reason, message: outcome.message }, succeeded: false };
    }
    case 'LeaseHeld':
      return {
        conditions: [['Ready', 'Unknown', 'LeaseHeld', outcome.message], ['Reconciling', 'True', 'LeaseHeld', outcome.message]],
        requeue: { policy: 'waiting', afterMs: delays.leaseHeldMs },
        warning: true,
        verdict: { kind: 'LeaseHeld', message: outcome.message },
        succeeded: false,
      };
    case 'ApplyFailed': {
      const retrying = outcome.retry !== 'needs-human';
      return {
        conditions: [
          ['Ready', 'False', outcome.reason, outcome.message],
          retrying ? ['Reconciling', 'True', outcome.reason, 'retrying with backoff'] : ['Stalled', 'True', outcome.reason, outcome.message],
        ],
        requeue: retrying ? { policy: 'transient' } : needsHuman,
        warning: true,
        verdict: { kind: 'Failed', cause: 'ApplyFailed', reason: outcome.reason, message: outcome.message },
        succeeded: false,
      };
    }
  }
}

function drift(drifted: readonly string[]): ConditionSpec[] {
  return drifted.length > 0 ? [['Drifted', 'True', 'DriftDetected', `changed outside Git: ${drifted.join(', ')}`]] : [];
}

/** Certificates that expire soon: a condition of their own, True while there are any, beside a Ready that stays True (a warning, not a failure). */
function expiring(warnings: readonly string[]): ConditionSpec[] {
  return warnings.length > 0 ? [['CertificatesExpiring', 'True', 'CertificateExpiresSoon', warnings.join('; ')]] : [];
}

function counted(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
