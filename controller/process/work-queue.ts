import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { Requeue } from '../core/requeue.ts';

/** The clock the queue schedules retries on; tests pass one they advance by hand. */
export interface QueueTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: QueueTimers = {
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    // A pending retry alone must not keep the process alive once everything else has stopped.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WorkQueueOptions {
  /**
   * Runs one key; what it returns decides whether and when the key runs again. `reason`: why it
   * runs, as the first add since the key last started gave it (adds that coalesce into one run
   * keep the first reason; a retry keeps the reason of the run it retries).
   */
  worker: (key: string, reason: string | undefined) => Promise<Requeue>;
  /** How many different keys may run at once. */
  concurrency: number;
  backoff?: BackoffOptions;
  timers?: QueueTimers;
  random?: () => number;
  /** A worker threw instead of returning: the key is retried with backoff, like a transient failure. */
  onError?: (key: string, error: unknown) => void;
  /** A retry was scheduled: for logs. */
  onRequeue?: (key: string, delayMs: number, requeue: Requeue) => void;
}

export interface WorkQueue {
  /** Queues a key to run now, saying why (kept if the key is already waiting); false once the queue is shutting down. */
  add(key: string, reason?: string): boolean;
  /** Keys waiting to run (not those running, nor those waiting for a retry delay). */
  depth(): number;
  /** Keys with a retry scheduled. */
  scheduled(): string[];
  /** The number of consecutive transient failures of a key. */
  failures(key: string): number;
  /** Resolves once nothing waits and nothing runs (scheduled retries do not count). */
  idle(): Promise<void>;
  /** Takes no more work, drops what waits and every scheduled retry, and resolves once the work in flight has finished. */
  shutDown(): Promise<void>;
}

/**
 * One work queue keyed by environment, with the semantics of client-go's workqueue:
 * - a key waiting is not added twice (it keeps the reason of its first add);
 * - a key runs at most once at a time; added while it runs, it runs once more afterwards;
 * - at most `concurrency` keys run at once;
 * - a transient failure is retried with exponential backoff and jitter, capped; `waiting` is
 *   retried after its delay; `settled` and `needs-human` are not retried and wait for the next add;
 * - an add cancels the key's scheduled retry: it runs now instead.
 */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  // Each waiting key with the reason of its first add.
  const waiting = new Map<string, string | undefined>();
  const running = new Map<string, Promise<void>>();
  const again = new Map<string, string | undefined>();
  const retries = new Map<string, unknown>();
  const failureCounts = new Map<string, number>();
  let idleWaiters: Array<() => void> = [];
  let stopping = false;

  const cancelRetry = (key: string): void => {
    const handle = retries.get(key);
    if (handle === undefined) return;
    timers.clearTimeout(handle);
    retries.delete(key);
  };

  const add = (key: string, reason?: string): boolean => {
    if (stopping) return false;
    cancelRetry(key);
    const pending = running.has(key) ? again : waiting;
    if (!pending.has(key)) pending.set(key, reason);
    pump();
    return true;
  };

  const schedule = (key: string, delayMs: number, reason: string | undefined): void => {
    cancelRetry(key);
    retries.set(
      key,
      timers.setTimeout(() => {
        retries.delete(key);
        add(key, reason);
      }, delayMs),
    );
  };

  const settle = (key: string, requeue: Requeue, reason: string | undefined): void => {
    if (requeue.policy === 'transient') {
      const failures = (failureCounts.get(key) ?? 0) + 1;
      failureCounts.set(key, failures);
      const delay = backoffDelay(failures, backoff, random());
      schedule(key, delay, reason);
      options.onRequeue?.(key, delay, requeue);
      return;
    }
    failureCounts.delete(key);
    if (requeue.policy === 'waiting') {
      schedule(key, requeue.afterMs, reason);
      options.onRequeue?.(key, requeue.afterMs, requeue);
    }
  };

  const run = async (key: string, reason: string | undefined): Promise<void> => {
    let requeue: Requeue;
    try {
      requeue = await options.worker(key, reason);
    } catch (error) {
      options.onError?.(key, error);
      requeue = { policy: 'transient' };
    }
    running.delete(key);
    if (!stopping) {
      settle(key, requeue, reason);
      if (again.has(key)) {
        const next = again.get(key);
        again.delete(key);
        add(key, next);
      }
    }
    pump();
  };

  function pump(): void {
    while (!stopping && running.size < options.concurrency && waiting.size > 0) {
      const [key, reason] = waiting.entries().next().value as [string, string | undefined];
      waiting.delete(key);
      running.set(key, run(key, reason));
    }
    if (waiting.size === 0 && running.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  return {
    add,
    depth: () => waiting.size,
    scheduled: () => [...retries.keys()],
    failures: (key) => failureCounts.get(key) ?? 0,
    idle: () => (waiting.size === 0 && running.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    async shutDown() {
      stopping = true;
      waiting.clear();
      again.clear();
      for (const key of [...retries.keys()]) cancelRetry(key);
      await Promise.all(running.values());
      pump();
    },
  };
}
