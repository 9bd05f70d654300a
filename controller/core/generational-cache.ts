/**
 * A cache that keeps what the last completed pass used, and nothing else: a pass reads through to
 * the previous generation, everything it gets or sets goes into the next, and `rotate()` at the end
 * of the pass drops what it did not touch. Memory follows the size of the repository, not its
 * history; a pass that fails (no `rotate()`) leaves the previous generation as it was.
 */
export interface GenerationalCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Forgets a key in both generations. */
  delete(key: string): void;
  /** Ends the pass: what it touched becomes the cache. */
  rotate(): void;
  /** Forgets what an unfinished pass touched. */
  discard(): void;
  readonly size: number;
}

/** An empty generational cache (see GenerationalCache). */
export function generationalCache<V>(): GenerationalCache<V> {
  let previous = new Map<string, V>();
  let next = new Map<string, V>();
  return {
    get(key) {
      const value = next.get(key) ?? previous.get(key);
      if (value !== undefined) next.set(key, value);
      return value;
    },
    set(key, value) {
      next.set(key, value);
    },
    delete(key) {
      next.delete(key);
      previous.delete(key);
    },
    rotate() {
      previous = next;
      next = new Map();
    },
    discard() {
      next = new Map();
    },
    get size() {
      return previous.size;
    },
  };
}
