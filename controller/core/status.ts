import type { Condition } from '../generated/manifests.ts';

/** How one reconcile of an environment ended; the single input conditions are computed from. */
export type ReconcileOutcome =
  | { kind: 'ValidationFailed'; message: string }
  | { kind: 'GenerationFailed'; message: string }
  | { kind: 'GitFetchFailed'; message: string }
  | { kind: 'Blocked'; reason: 'BreakingChangeRefused'; message: string }
  | { kind: 'Waiting'; reason: 'AwaitingApproval' | 'AwaitingPromotion' | 'ManualApplyRequired'; message: string; pending: number }
  | { kind: 'LeaseHeld'; message: string }
  | { kind: 'ApplyFailed'; reason: string; message: string; transient: boolean }
  | { kind: 'Applied'; applied: number; drifted: string[] }
  | { kind: 'Suspended' };

type ConditionType = Condition['type'];

/**
 * The conditions of an environment after a reconcile: Ready always, Reconciling and Stalled while
 * true, AwaitingApproval and Drifted while true. A condition keeps its lastTransitionTime while
 * its status stays the same, as Kubernetes conditions do. Pure: the clock is an argument.
 */
export function environmentConditions(outcome: ReconcileOutcome, commit: string | undefined, now: Date, previous: readonly Condition[] = []): Condition[] {
  const set: Array<[ConditionType, Condition['status'], string, string]> = [];
  switch (outcome.kind) {
    case 'Applied': {
      const message = outcome.applied === 0 ? 'in step with Git' : `applied ${outcome.applied} ${outcome.applied === 1 ? 'action' : 'actions'}`;
      set.push(['Ready', 'True', 'ReconciliationSucceeded', message]);
      if (outcome.drifted.length > 0) set.push(['Drifted', 'True', 'DriftDetected', `changed outside Git: ${outcome.drifted.join(', ')}`]);
      break;
    }
    case 'Suspended':
      set.push(['Ready', 'Unknown', 'Suspended', 'reconciliation is suspended']);
      break;
    case 'ValidationFailed':
    case 'GenerationFailed':
      set.push(['Ready', 'False', outcome.kind, outcome.message], ['Stalled', 'True', outcome.kind, outcome.message]);
      break;
    case 'GitFetchFailed':
      set.push(['Ready', 'False', 'GitFetchFailed', outcome.message], ['Reconciling', 'True', 'GitFetchFailed', 'retrying the fetch']);
      break;
    case 'Blocked':
      set.push(['Ready', 'False', outcome.reason, outcome.message], ['Stalled', 'True', outcome.reason, outcome.message]);
      break;
    case 'Waiting':
      set.push(['Ready', 'False', outcome.reason, `${outcome.pending} pending ${outcome.pending === 1 ? 'action' : 'actions'}; ${outcome.message}`]);
      if (outcome.reason === 'AwaitingApproval') set.push(['AwaitingApproval', 'True', 'AwaitingApproval', outcome.message]);
      break;
    case 'LeaseHeld':
      set.push(['Ready', 'Unknown', 'LeaseHeld', outcome.message], ['Reconciling', 'True', 'LeaseHeld', outcome.message]);
      break;
    case 'ApplyFailed':
      set.push(['Ready', 'False', outcome.reason, outcome.message]);
      set.push(outcome.transient ? ['Reconciling', 'True', outcome.reason, 'retrying with backoff'] : ['Stalled', 'True', outcome.reason, outcome.message]);
      break;
  }
  return set.map(([type, status, reason, message]) => {
    const before = previous.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now.toISOString();
    return { type, status, reason, message, ...(commit ? { observedCommit: commit } : {}), lastTransitionTime };
  });
}
