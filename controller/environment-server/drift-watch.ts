import type { ObservedState } from '../core/environment-state.ts';
import type { CallbackOutcome, DriftNotifier } from './drift-notifier.ts';

/**
 * What differs between the state and what the controller last applied, per the action log: an
 * integration whose artifact hash is not the one last published (or that is gone), a connection
 * whose fingerprint is not the one last upserted (or that is gone). Sorted, so equal drift gives
 * equal lists. Pure.
 */
export function driftOf(state: ObservedState): string[] {
  const out: string[] = [];
  const published = new Map(state.integrations.map((i) => [i.name, i.artifactHash]));
  for (const [name, hash] of Object.entries(state.lastApplied.integrations)) if (published.get(name) !== hash) out.push(`integration/${name}`);
  const stored = new Map(state.connections.map((c) => [c.name, c.fingerprint]));
  for (const [name, fingerprint] of Object.entries(state.lastApplied.connections)) if (stored.get(name) !== fingerprint) out.push(`connection/${name}`);
  return out.sort();
}

export interface DriftWatchOptions {
  observe: () => Promise<ObservedState>;
  notify: DriftNotifier;
  /** How often the state is compared with the log; 0: never on its own (`check` still works). */
  intervalMs: number;
  onError?: (error: unknown) => void;
}

export interface DriftWatch {
  /** Compares now; calls the controller back when there is drift it was not yet told of. */
  check(): Promise<CallbackOutcome | 'unchanged'>;
  stop(): void;
}

/**
 * Catches changes made outside the API, such as an edit of the database itself or by a tool
 * other than this server: every interval the state is compared with the action log, and new
 * drift is reported once through the drift callback (again only once it changes). A callback
 * that failed is tried again at the next check.
 */
export function createDriftWatch(options: DriftWatchOptions): DriftWatch {
  let told = '';
  let running: Promise<CallbackOutcome | 'unchanged'> | undefined;
  const check = async (): Promise<CallbackOutcome | 'unchanged'> => {
    const drift = driftOf(await options.observe());
    const key = drift.join('\n');
    if (key === told) return 'unchanged';
    if (drift.length === 0) {
      told = '';
      return 'unchanged';
    }
    const outcome = await options.notify(drift.join(', '));
    if (outcome !== 'failed') told = key;
    return outcome;
  };
  const once = (): Promise<CallbackOutcome | 'unchanged'> => (running ??= check().finally(() => (running = undefined)));
  const timer = options.intervalMs > 0 ? setInterval(() => void once().catch((error: unknown) => options.onError?.(error)), options.intervalMs) : undefined;
  timer?.unref();
  return { check: once, stop: () => clearInterval(timer) };
}
