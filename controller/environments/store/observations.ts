import type { ObservedState, PublishedIntegration } from '../../core/environment-state.ts';

/**
 * What an environment store observed last, and up to where: the change log's newest entry
 * (`changesHead`) and the action log's (`state.logHead`) when it was read, and when the whole
 * state was last read rather than patched. Frozen, so that it can be handed to every caller and
 * kept: the next observe patches a copy of what changed.
 */
export interface Observation {
  readonly state: ObservedState;
  readonly changesHead: number;
  /** When every row was last read (ms since the epoch, by the store's clock). */
  readonly fullReadAt: number;
}

/**
 * Observations kept for the life of the process, by store (a SQLite file and its environment's
 * key): the controller opens an embedded environment anew for each reconcile, and what it observed
 * last time is still right but for what the change log says changed since. Bounded: the least
 * recently used is dropped past a few dozen stores.
 */
const SHARED = new Map<string, Observation>();
const SHARED_LIMIT = 32;

export function sharedObservation(key: string): Observation | undefined {
  const observation = SHARED.get(key);
  if (observation) {
    SHARED.delete(key);
    SHARED.set(key, observation);
  }
  return observation;
}

/** Keeps `observation` for `key` unless a newer one (further along both logs) is kept already. */
export function keepSharedObservation(key: string, observation: Observation): void {
  const kept = SHARED.get(key);
  if (kept && (kept.changesHead > observation.changesHead || kept.state.logHead > observation.state.logHead)) return;
  SHARED.delete(key);
  SHARED.set(key, observation);
  while (SHARED.size > SHARED_LIMIT) SHARED.delete(SHARED.keys().next().value!);
}

/** Names in the order the store reads them: bytewise on their UTF-8 (SQLite's default, PostgreSQL's `COLLATE "C"`), which is code point order. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Puts `item` where `name` belongs in `list` (sorted by name, changed in place), replacing the
 * entry of that name, or removes the entry when `item` is undefined.
 */
export function patchByName<T extends { readonly name: string }>(list: T[], name: string, item: T | undefined): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareNames(list[middle]!.name, name) < 0) low = middle + 1;
    else high = middle;
  }
  const found = low < list.length && list[low]!.name === name;
  if (item) list.splice(low, found ? 1 : 0, item);
  else if (found) list.splice(low, 1);
}

/** A published integration frozen, its lazily read catalog left lazy. */
export function frozenIntegration(integration: PublishedIntegration): PublishedIntegration {
  Object.freeze(integration.requires);
  return Object.freeze(integration);
}

/** The state with its lists and records frozen (the items are frozen as they are read). */
export function frozenState(state: ObservedState): ObservedState {
  Object.freeze(state.dependencies);
  Object.freeze(state.integrations);
  Object.freeze(state.connections);
  Object.freeze(state.lastApplied.integrations);
  Object.freeze(state.lastApplied.connections);
  Object.freeze(state.lastApplied);
  return Object.freeze(state);
}
