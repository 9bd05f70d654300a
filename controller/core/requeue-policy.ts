import type { ReconcileOutcome } from './status.ts';

/**
 * What happens to an environment's key after a reconcile, by the policy of how it ended:
 * - `settled`: done; the next trigger reconciles again;
 * - `needs-human`: a person must change something (the manifests, an approval, the driver); not
 *   retried, the next trigger (a push, a review) reconciles again;
 * - `waiting`: something outside will change by itself (another controller's lease, a promotion,
 *   an approval); retried after `afterMs`;
 * - `transient`: retried with exponential backoff.
 */
export type Requeue =
  | { policy: 'settled' }
  | { policy: 'needs-human' }
  | { policy: 'waiting'; afterMs: number }
  | { policy: 'transient' };

export interface RequeueDelays {
  /** After a gate said wait (approval, promotion, manual apply). */
  waitingMs: number;
  /** After another holder's lease was found: about when it expires. */
  leaseHeldMs: number;
}

/** The one mapping from how a reconcile ended to whether and when it runs again. Pure. */
export function requeueFor(outcome: ReconcileOutcome, delays: RequeueDelays): Requeue {
  switch (outcome.kind) {
    case 'Applied':
    case 'Suspended':
      return { policy: 'settled' };
    case 'ValidationFailed':
    case 'GenerationFailed':
    case 'Blocked':
      return { policy: 'needs-human' };
    case 'Waiting':
      return { policy: 'waiting', afterMs: delays.waitingMs };
    case 'LeaseHeld':
      return { policy: 'waiting', afterMs: delays.leaseHeldMs };
    case 'GitFetchFailed':
      return { policy: 'transient' };
    case 'ApplyFailed':
      return outcome.transient ? { policy: 'transient' } : { policy: 'needs-human' };
  }
}
