import type { RetryPolicy } from './errors.ts';

/**
 * How one reconcile of an environment ended: the single input of finalize, which derives the
 * conditions, the requeue, the event and the verdict every reporter shows from it.
 */
export type ReconcileOutcome =
  | { kind: 'ValidationFailed'; message: string }
  | { kind: 'GenerationFailed'; message: string }
  | { kind: 'GitFetchFailed'; message: string }
  | { kind: 'Blocked'; reason: 'BreakingChangeRefused' | 'PruneRefused'; message: string }
  | { kind: 'Waiting'; reason: 'AwaitingApproval' | 'AwaitingPromotion' | 'ManualApplyRequired'; message: string; pending: number }
  | { kind: 'LeaseHeld'; message: string }
  | { kind: 'ApplyFailed'; reason: string; message: string; retry: RetryPolicy }
  /** Planned only (intctl plan, a pull request's check): `pending` actions would be applied. */
  | { kind: 'Planned'; pending: number; drifted: string[] }
  /** `warnings`: what is Ready but needs attention soon (a connection certificate expiring within 30 days). */
  | { kind: 'Applied'; applied: number; drifted: string[]; warnings?: string[] }
  | { kind: 'Suspended' };
