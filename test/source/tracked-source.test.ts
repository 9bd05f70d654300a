/**
 * The fetch generation of the tracked source, over a GitSource whose fetches the test finishes by
 * hand: a fetch in flight is shared only by callers it covers (no trigger since it began), and
 * everyone a trigger left out shares the one fetch that follows. And the loads it keeps.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../controller/observability/metrics.ts';
import type { GitSource, LoadedCommit } from '../../controller/source/git-source.ts';
import { KEPT_LOADS, trackSource } from '../../controller/source/tracked-source.ts';

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

/** A GitSource whose loads are counted per commit; a commit named `broken` fails to load once. */
function countingSource() {
  const loads: string[] = [];
  let brokenOnce = true;
  const source = {
    load: async (commit: string) => {
      loads.push(commit);
      if (commit === 'broken' && brokenOnce) {
        brokenOnce = false;
        throw new Error('not in the mirror');
      }
      return { commit } as unknown as LoadedCommit;
    },
  } as unknown as GitSource;
  return { source, loads };
}

describe('trackSource: loads kept', () => {
  it('keeps the last two commits loaded: a pull request head and its base, planned again and again, are loaded once each', async () => {
    const { source, loads } = countingSource();
    const tracked = trackSource(source, createMetrics());
    for (const commit of ['head-1', 'main', 'head-1', 'main', 'head-1']) await tracked.load(commit);
    expect(loads).toEqual(['head-1', 'main']);
    // A third commit replaces the one asked for least recently (head-1 was asked for last, so main goes).
    await tracked.load('head-2');
    await tracked.load('head-1');
    await tracked.load('main');
    expect(loads).toEqual(['head-1', 'main', 'head-2', 'main']);
    expect(KEPT_LOADS).toBe(2);
  });

  it('shares a load in flight, and does not keep a failed one', async () => {
    const { source, loads } = countingSource();
    const tracked = trackSource(source, createMetrics());
    const [a, b] = [tracked.load('main'), tracked.load('main')];
    expect(await a).toBe(await b);
    await expect(tracked.load('broken')).rejects.toThrow('not in the mirror');
    expect((await tracked.load('broken')).commit).toBe('broken');
    expect(loads).toEqual(['main', 'broken', 'broken']);
  });
});
