/** Runs async critical sections one at a time, in the order they asked. */
export interface Mutex {
  /** Runs `fn` once every section asked for before it has settled; resolves or rejects as `fn` does. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * A mutex for one event loop. A failed section does not block the next one, so one caller's error
 * can never wedge the sessions of every other caller.
 */
export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const section = tail.then(fn);
      tail = section.catch(() => undefined);
      return section;
    },
  };
}
