/**
 * The environment driver interface: everything the controller needs of a place where
 * integrations are published. `embedded` keeps an environment in a local SQLite file; `http`
 * (the environment server) implements the same interface remotely. One contract test suite
 * (test/environments/driver-contract.ts) runs against every driver.
 */
import type { ObservedState } from '../core/environment-state.ts';
import { TransientError } from '../core/errors.ts';
import type { PlanAction } from '../core/plan-action.ts';
import type { KeyPairVerdict, SealedKeyPair } from '../secrets/verify-key-pair.ts';

export type { KeyPairVerdict, SealedKeyPair } from '../secrets/verify-key-pair.ts';

export interface Lease {
  environment: string;
  holder: string;
  /** Fencing token: grows by one at every acquisition; an apply with an older token is refused. */
  token: number;
  /** ISO 8601. */
  expiresAt: string;
}

export interface AppliedAction {
  /** Position in the append-only log, from 1. */
  seq: number;
  actionId: string;
  type: PlanAction['type'];
  /** The integration, connection or dependency name the action is about. */
  target: string;
  leaseToken: number;
  commit: string;
  appliedAt: string;
  /** What the action left behind: an artifact hash, a fingerprint, a version; empty for removals. */
  result: string;
}

export interface ApplyContext {
  lease: Lease;
  commit: string;
  /**
   * The plan the action belongs to: the log head it was made against and its id (every action
   * id of the plan ends in `@<id>`). The environment refuses an action when the log has grown
   * since that head by actions of another plan (StalePlanError): applying a stale plan could take
   * the environment back to an older commit. Actions of the same plan may resume.
   */
  plan: { head: number; id: string };
}

/** `applied` when the action changed the environment; `already-applied` when the same action id was logged before. */
export type ApplyOutcome = 'applied' | 'already-applied';

export interface EnvironmentDriver {
  readonly name: string;
  /** The environment's public key for sealed secrets (base64 X25519). */
  publicKey(): Promise<string>;
  /** The key fingerprints of connections are computed with (base64); only the controller may read it. */
  fingerprintKey(): Promise<string>;
  observe(): Promise<ObservedState>;
  /** Takes the lease when it is free or expired; undefined when another holder has it. */
  acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends a lease whose token is still current (also once expired, if nobody took it since); throws LeaseLostError when it was taken over. */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease>;
  /** Frees the lease if its token is still current; a stale lease releases nothing (never a newer holder's lease) and does not throw. */
  releaseLease(lease: Lease): Promise<void>;
  /**
   * Applies one action under the lease, atomically with its log entry; a stale fencing token or an
   * expired lease throws LeaseLostError; an action the environment will not store (a plain secret,
   * a value sealed to another key, a malformed action) throws ActionRefusedError
   * (./action-refused-error.ts) and changes nothing.
   */
  apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome>;
  /**
   * Applies several actions of one plan as one: all of them, each with its log entry, or none.
   * What `apply` promises of one action holds for each (an id already logged is skipped), and any
   * refusal or failure, of any of them, throws as `apply` would and leaves the environment and its
   * log as they were. The planner's units (core/apply-units.ts) use it for a dependency update and
   * the republishes it forces. One outcome per action, in order.
   */
  applyUnit(actions: readonly PlanAction[], context: ApplyContext): Promise<ApplyOutcome[]>;
  /** The append-only log of applied actions, oldest first. */
  actionLog(): Promise<AppliedAction[]>;
  /**
   * Which of the given sealed values open with the environment's own key: one answer per value,
   * in order, true where it opens. Plans ask it before anything is applied, so a value sealed for
   * another environment or altered is found out by the plan, not halfway through an apply. The
   * environment opens each value and discards the opened text at once: it is never returned,
   * logged or sent. Changes nothing and needs no lease.
   */
  verifySealed(sealed: readonly string[]): Promise<boolean[]>;
  /**
   * Whether each sealed private key belongs to its certificate: one verdict per pair, in order
   * (see KeyPairVerdict). The environment opens the key and its password, reads the key as the
   * runtime does (PEM or PKCS#12) and checks it against the certificate, so a plan finds a key
   * that does not match before anything is applied, not the first call. Only the verdict is
   * returned: never the key, the password or anything read from them. Changes nothing and needs
   * no lease.
   */
  verifyKeyPairs(pairs: readonly SealedKeyPair[]): Promise<KeyPairVerdict[]>;
  close(): Promise<void>;
}

/** The lease is held by someone else, or this holder's fencing token is no longer current: re-plan (with backoff). */
export class LeaseLostError extends TransientError {
  readonly reason = 'LeaseLost';
}

/** The environment changed since the plan was made; re-plan and apply the new plan. */
export class StalePlanError extends TransientError {
  readonly reason = 'StalePlan';
}

/** The environment cannot be reached or answered with an error; retried with backoff. */
export class EnvironmentUnavailableError extends TransientError {
  readonly reason = 'EnvironmentUnavailable';
}
