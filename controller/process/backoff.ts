/** How a transient failure is retried: exponential growth from `baseMs`, capped at `maxMs`. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** The share of the delay taken off at random (0 to 1), so retries of many keys spread out. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 300_000, jitter: 0.2 };

/**
 * The delay before retry number `failures` (1 after the first failure): `baseMs * 2^(failures-1)`,
 * never more than `maxMs`, less up to `jitter` of it at random. Jitter only ever shortens the
 * delay, so the cap holds. Pure: the random number in [0, 1) is an argument.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: number): number {
  const exponent = Math.max(0, Math.floor(failures) - 1);
  const delay = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(delay * (1 - jitter * random));
}
