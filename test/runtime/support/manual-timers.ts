import type { QueueTimers } from '../../../controller/process/work-queue.ts';

/** Timers that fire only when a test says so: delays are asserted as values, never waited for. */
export function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 1;
  const timers: QueueTimers = {
    setTimeout: (run, ms) => {
      const id = next++;
      pending.set(id, { run, ms });
      return id;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    delays: () => [...pending.values()].map((p) => p.ms),
    fireAll: () => {
      const due = [...pending.values()];
      pending.clear();
      for (const timer of due) timer.run();
    },
  };
}
