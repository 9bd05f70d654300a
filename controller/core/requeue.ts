/**
 * What happens to a queue key after a reconcile, by the policy of how it ended:
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
