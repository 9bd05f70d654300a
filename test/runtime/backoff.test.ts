import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffOptions } from '../../controller/process/backoff.ts';

const options: BackoffOptions = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 };

describe('backoffDelay', () => {
  it.each([
    { failures: 1, random: 0, delay: 1000 },
    { failures: 2, random: 0, delay: 2000 },
    { failures: 3, random: 0, delay: 4000 },
    { failures: 6, random: 0, delay: 32_000 },
    { failures: 7, random: 0, delay: 60_000 },
    { failures: 50, random: 0, delay: 60_000 },
    { failures: 5000, random: 0, delay: 60_000 },
    { failures: 1, random: 0.5, delay: 900 },
    { failures: 3, random: 0.999999, delay: 3200 },
    { failures: 50, random: 0.5, delay: 54_000 },
    { failures: 0, random: 0, delay: 1000 },
  ])('failure $failures with random $random waits $delay ms', ({ failures, random, delay }) => {
    expect(backoffDelay(failures, options, random)).toBe(delay);
  });

  it.each([
    { jitter: 0, random: 0.9, delay: 4000 },
    { jitter: 1, random: 0.5, delay: 2000 },
    { jitter: 5, random: 0.5, delay: 2000 },
    { jitter: -1, random: 0.5, delay: 4000 },
  ])('jitter $jitter is kept within 0 and 1', ({ jitter, random, delay }) => {
    expect(backoffDelay(3, { ...options, jitter }, random)).toBe(delay);
  });
});
