/**
 * Time in tests. A test waits for an event (a log line, a status, a request the GitHub stand-in
 * saw, a file), never for a stretch of wall clock; where a wait has to give up some time, its
 * deadline is scaled by one factor, so that a busy machine makes a test slower, never red. Nothing
 * here bounds how fast something must be.
 *
 * `INTCTL_TEST_TIME_FACTOR` (default 5) is how many times slower than a quiet developer machine
 * this one may be: every deadline below, and vitest's test and hook timeouts, are multiplied by
 * it. It costs nothing while events come in time; raise it on a machine slower still.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const DEFAULT_FACTOR = 5;

/** The factor of `INTCTL_TEST_TIME_FACTOR`: a positive number, the default when unset. */
export function readTimeFactor(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.INTCTL_TEST_TIME_FACTOR;
  if (given === undefined || given === '') return DEFAULT_FACTOR;
  const factor = Number(given);
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`INTCTL_TEST_TIME_FACTOR must be a positive number, not ${JSON.stringify(given)}`);
  return factor;
}

export const TIME_FACTOR = readTimeFactor();

/** A deadline that is `ms` on a quiet machine, scaled for this one. */
export function deadline(ms: number): number {
  return Math.ceil(ms * TIME_FACTOR);
}

export interface UntilOptions {
  /** The deadline on a quiet machine (scaled by the factor): 30 s unless told. */
  timeoutMs?: number;
  /** How often to look again: 20 ms unless told. */
  everyMs?: number;
  /** More to say when the deadline passes: what the processes under test logged, say. */
  explain?: () => string;
}

/**
 * Resolves with the first value of `probe` that is neither `undefined`, `null` nor `false`,
 * looking again every few milliseconds; fails, saying what it waited for, once the scaled
 * deadline has passed. For a condition something else brings about in the background.
 */
export async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: UntilOptions = {}): Promise<T> {
  const giveUpAt = Date.now() + deadline(options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > giveUpAt) {
      const more = options.explain?.();
      throw new Error(`timed out waiting for ${what} (INTCTL_TEST_TIME_FACTOR=${TIME_FACTOR})${more ? `\n${more}` : ''}`);
    }
    await sleep(options.everyMs ?? 20);
  }
}
