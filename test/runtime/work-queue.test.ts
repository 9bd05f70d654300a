import { setImmediate as flush } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Requeue } from '../../controller/core/requeue.ts';
import { createWorkQueue, type WorkQueueOptions } from '../../controller/process/work-queue.ts';
import { manualTimers } from './support/manual-timers.ts';

/** A worker whose runs end when the test ends them, recording what ran and what ran at once. */
function heldWorker() {
  const calls: string[] = [];
  const running = new Map<string, (requeue: Requeue | Error) => void>();
  let mostAtOnce = 0;
  const worker = (key: string): Promise<Requeue> => {
    calls.push(key);
    expect(running.has(key), `${key} started while it was running`).toBe(false);
    return new Promise<Requeue>((resolve, reject) => {
      running.set(key, (result) => {
        running.delete(key);
        if (result instanceof Error) reject(result);
        else resolve(result);
      });
      mostAtOnce = Math.max(mostAtOnce, running.size);
    });
  };
  const finish = async (key: string, result: Requeue | Error = { policy: 'settled' }) => {
    const end = running.get(key);
    expect(end, `${key} is not running`).toBeDefined();
    end!(result);
    await flush();
  };
  return { worker, calls, finish, running: () => [...running.keys()], mostAtOnce: () => mostAtOnce };
}

function makeQueue(overrides: Partial<WorkQueueOptions> = {}) {
  const held = heldWorker();
  const clock = manualTimers();
  const queue = createWorkQueue({
    worker: held.worker,
    concurrency: 1,
    backoff: { baseMs: 100, maxMs: 400, jitter: 0.5 },
    random: () => 0,
    timers: clock.timers,
    ...overrides,
  });
  return { queue, held, clock };
}

describe('work queue', () => {
  it('does not add a key that is already waiting', async () => {
    const { queue, held } = makeQueue();
    queue.add('dev');
    queue.add('test');
    queue.add('test');
    queue.add('prod');
    queue.add('test');
    expect(queue.depth()).toBe(2);
    await held.finish('dev');
    await held.finish('test');
    await held.finish('prod');
    expect(held.calls).toEqual(['dev', 'test', 'prod']);
  });

  it('runs a key added while it runs once more afterwards, however often it was added', async () => {
    const { queue, held } = makeQueue();
    queue.add('dev');
    queue.add('dev');
    queue.add('dev');
    expect(queue.depth()).toBe(0);
    await held.finish('dev');
    expect(held.running()).toEqual(['dev']);
    await held.finish('dev');
    await queue.idle();
    expect(held.calls).toEqual(['dev', 'dev']);
  });

  it('runs different keys at once up to the concurrency, never one key twice at once', async () => {
    const { queue, held } = makeQueue({ concurrency: 2 });
    for (const key of ['dev', 'test', 'prod', 'dev', 'test']) queue.add(key);
    expect(held.running()).toEqual(['dev', 'test']);
    expect(queue.depth()).toBe(1);
    await held.finish('test');
    expect(held.running()).toEqual(['dev', 'prod']);
    await held.finish('dev');
    // First in, first out: test was added again before dev was.
    expect(held.running()).toEqual(['prod', 'test']);
    await held.finish('prod');
    expect(held.running()).toEqual(['test', 'dev']);
    await held.finish('test');
    await held.finish('dev');
    await queue.idle();
    expect(held.calls).toEqual(['dev', 'test', 'prod', 'test', 'dev']);
    expect(held.mostAtOnce()).toBe(2);
  });

  it('retries a transient failure with growing delays up to the cap, and starts over after a success', async () => {
    const { queue, held, clock } = makeQueue();
    queue.add('dev');
    const delays: number[][] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      await held.finish('dev', { policy: 'transient' });
      delays.push(clock.delays());
      clock.fireAll();
    }
    expect(delays).toEqual([[100], [200], [400], [400]]);
    expect(queue.failures('dev')).toBe(4);
    await held.finish('dev', { policy: 'settled' });
    expect(queue.failures('dev')).toBe(0);
    expect(clock.delays()).toEqual([]);
    queue.add('dev');
    await held.finish('dev', { policy: 'transient' });
    expect(clock.delays()).toEqual([100]);
  });

  it('takes jitter off the delay', async () => {
    const { queue, held, clock } = makeQueue({ random: () => 0.5 });
    queue.add('dev');
    await held.finish('dev', { policy: 'transient' });
    expect(clock.delays()).toEqual([75]);
  });

  it('does not retry what needs a human; the next add runs it', async () => {
    const { queue, held, clock } = makeQueue();
    queue.add('dev');
    await held.finish('dev', { policy: 'needs-human' });
    await queue.idle();
    expect(clock.delays()).toEqual([]);
    expect(queue.scheduled()).toEqual([]);
    queue.add('dev');
    expect(held.running()).toEqual(['dev']);
  });

  it("retries a waiting key after the outcome's delay, not with backoff", async () => {
    const { queue, held, clock } = makeQueue();
    queue.add('prod');
    await held.finish('prod', { policy: 'transient' });
    clock.fireAll();
    await held.finish('prod', { policy: 'waiting', afterMs: 60_000 });
    expect(clock.delays()).toEqual([60_000]);
    expect(queue.failures('prod')).toBe(0);
    clock.fireAll();
    expect(held.running()).toEqual(['prod']);
  });

  it('runs a key with a retry scheduled at once when it is added, and drops the retry', async () => {
    const { queue, held, clock } = makeQueue();
    queue.add('dev');
    await held.finish('dev', { policy: 'transient' });
    expect(queue.scheduled()).toEqual(['dev']);
    queue.add('dev');
    expect(held.running()).toEqual(['dev']);
    expect(queue.scheduled()).toEqual([]);
    expect(clock.delays()).toEqual([]);
  });

  it('retries with backoff a worker that throws, and reports it', async () => {
    const errors: Array<[string, unknown]> = [];
    const { queue, held, clock } = makeQueue({ onError: (key, error) => errors.push([key, error]) });
    queue.add('dev');
    const boom = new Error('boom');
    await held.finish('dev', boom);
    expect(errors).toEqual([['dev', boom]]);
    expect(clock.delays()).toEqual([100]);
  });

  it('on shutdown takes no more work, drops what waits and retries, and resolves once the run in flight ends', async () => {
    const { queue, held, clock } = makeQueue();
    queue.add('dev');
    queue.add('test');
    queue.add('prod');
    let stopped = false;
    const stopping = queue.shutDown().then(() => (stopped = true));
    expect(queue.add('dev')).toBe(false);
    await flush();
    expect(stopped).toBe(false);
    await held.finish('dev', { policy: 'transient' });
    await stopping;
    expect(held.calls).toEqual(['dev']);
    expect(queue.depth()).toBe(0);
    expect(clock.delays()).toEqual([]);
  });

  it('hands the worker the reason of the first add since the key last started; a retry keeps the reason of its run', async () => {
    const reasons: Array<[string, string | undefined]> = [];
    const held = heldWorker();
    const clock = manualTimers();
    const queue = createWorkQueue({
      worker: (key, reason) => (reasons.push([key, reason]), held.worker(key)),
      concurrency: 1,
      backoff: { baseMs: 100, maxMs: 400, jitter: 0 },
      random: () => 0,
      timers: clock.timers,
    });
    queue.add('dev', 'startup');
    queue.add('test', 'startup');
    queue.add('test', 'poll');
    await held.finish('dev', { policy: 'transient' });
    await held.finish('test');
    clock.fireAll();
    await held.finish('dev');
    queue.add('dev', 'generic webhook');
    await held.finish('dev');
    expect(reasons).toEqual([
      ['dev', 'startup'],
      ['test', 'startup'],
      ['dev', 'startup'],
      ['dev', 'generic webhook'],
    ]);
  });

  it('runs a key added while it runs once more, with the reason of the first add made meanwhile', async () => {
    const reasons: Array<string | undefined> = [];
    const held = heldWorker();
    const queue = createWorkQueue({ worker: (key, reason) => (reasons.push(reason), held.worker(key)), concurrency: 1, timers: manualTimers().timers });
    queue.add('dev', 'startup');
    queue.add('dev', 'promotion from test');
    queue.add('dev', 'poll');
    await held.finish('dev');
    await held.finish('dev');
    expect(reasons).toEqual(['startup', 'promotion from test']);
  });
});
