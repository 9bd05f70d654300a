/**
 * The fetch generation of the tracked source, over a GitSource whose fetches the test finishes by
 * hand: a fetch in flight is shared only by callers it covers (no trigger since it began), and
 * everyone a trigger left out shares the one fetch that follows.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../controller/observability/metrics.ts';
import type { GitSource } from '../../controller/source/git-source.ts';
import { trackSource } from '../../controller/source/tracked-source.ts';

/** A GitSource whose fetches wait until the test finishes them, each with the commit it names. */
function manualSource() {
  const pending: Array<(commit: string) => void> = [];
  const source = {
    fetch: () => new Promise<string>((resolve) => pending.push(resolve)),
  } as unknown as GitSource;
  return { source, pending };
}

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('trackSource: a fetch generation', () => {
  it('shares one fetch among the callers of one trigger', async () => {
    const { source, pending } = manualSource();
    const tracked = trackSource(source, createMetrics());
    tracked.triggered();
    const fetches = [tracked.fetch(), tracked.fetch(), tracked.fetch()];
    expect(pending).toHaveLength(1);
    pending[0]!('a');
    expect(await Promise.all(fetches)).toEqual(['a', 'a', 'a']);
  });

  it('makes callers after a later trigger wait for a fetch that begins after the one in flight, shared among them', async () => {
    const { source, pending } = manualSource();
    const tracked = trackSource(source, createMetrics());
    tracked.triggered();
    const older = tracked.fetch();
    tracked.triggered();
    const newer = [tracked.fetch(), tracked.fetch()];
    tracked.triggered();
    const newest = tracked.fetch();
    expect(pending).toHaveLength(1);
    pending[0]!('before the push');
    expect(await older).toBe('before the push');
    await settle();
    expect(pending).toHaveLength(2);
    pending[1]!('after the push');
    expect(await Promise.all([...newer, newest])).toEqual(['after the push', 'after the push', 'after the push']);
  });

  it('starts the next fetch after a failed one, for the callers it did not cover', async () => {
    let calls = 0;
    const failing = { fetch: () => (++calls === 1 ? Promise.reject(new Error('remote gone')) : Promise.resolve('b')) } as unknown as GitSource;
    const tracked = trackSource(failing, createMetrics());
    const older = tracked.fetch();
    tracked.triggered();
    const newer = tracked.fetch();
    await expect(older).rejects.toThrow('remote gone');
    expect(await newer).toBe('b');
    expect(calls).toBe(2);
  });
});
