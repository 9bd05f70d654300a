/**
 * The three kinds of failure, each carrying its retry policy, so that what happens after an error
 * is decided by the class that raised it, never by matching its reason against a list:
 *
 * - StalledError: a person must change something (the manifests, a key, the driver); not retried
 *   until the next trigger.
 * - WaitingError: something outside will change by itself (another holder's lease, a promotion);
 *   retried after a delay.
 * - TransientError: the world was briefly in the way (a network, a busy database, another writer
 *   that moved the environment); retried with backoff.
 *
 * Adapters turn library errors into these at their boundary. Every subclass names its `reason`, a
 * CamelCase constant documented in docs/reasons.md.
 */
export type RetryPolicy = 'needs-human' | 'waiting' | 'transient';

export abstract class IntctlError extends Error {
  abstract readonly reason: string;
  abstract readonly retry: RetryPolicy;
}

export abstract class StalledError extends IntctlError {
  readonly retry = 'needs-human' as const;
}

export abstract class WaitingError extends IntctlError {
  readonly retry = 'waiting' as const;
}

export abstract class TransientError extends IntctlError {
  readonly retry = 'transient' as const;
}

/**
 * The retry policy of anything thrown: its class's, or `fallback` for an error that is not ours
 * (a library's error an adapter did not classify, or a bug), which the caller decides for its
 * place: a reconcile shows it to a person rather than retry a bug in a loop.
 */
export function retryPolicyOf(error: unknown, fallback: RetryPolicy): RetryPolicy {
  return error instanceof IntctlError ? error.retry : fallback;
}

/** The reason of anything thrown, for conditions and metrics: its own, else `fallback`. */
export function reasonOf(error: unknown, fallback: string): string {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && reason !== '' ? reason : fallback;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
