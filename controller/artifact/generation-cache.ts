import type { SharedGeneration } from './shared-generation.ts';

/** A place shared generations outlive the process in (a directory: see createDiskGenerationStore). */
export interface GenerationStore {
  /** The generation kept under key, or undefined when there is none or it cannot be trusted. Never throws. */
  read(key: string): Promise<SharedGeneration | undefined>;
  /** Keeps it; a failure to write is not the caller's problem (the next run generates again). Never throws. */
  write(key: string, generation: SharedGeneration): Promise<void>;
}

/**
 * Shared generations by generation key: the same key asked for by any number of integrations,
 * environments or concurrent reconciles is generated once. Kept in memory (least recently used
 * out past `capacity`) and, with a store, across runs.
 */
export interface GenerationCache {
  /** The generation of `key`: kept, read from the store, or made now by `make`, once however many ask at once. */
  obtain(key: string, make: () => Promise<SharedGeneration | undefined>): Promise<SharedGeneration | undefined>;
  /** How many times `make` was called: the generations this cache could not spare. */
  readonly generated: number;
}

export interface GenerationCacheOptions {
  /** Generations kept in memory. */
  capacity?: number;
  store?: GenerationStore;
}

/** A generation cache in memory, over a store when one is given. */
export function createGenerationCache(options: GenerationCacheOptions = {}): GenerationCache {
  const capacity = options.capacity ?? 256;
  const kept = new Map<string, Promise<SharedGeneration | undefined>>();
  let generated = 0;
  const remember = (key: string, value: Promise<SharedGeneration | undefined>): void => {
    kept.delete(key);
    kept.set(key, value);
    if (kept.size > capacity) kept.delete(kept.keys().next().value as string);
  };
  const load = async (key: string, make: () => Promise<SharedGeneration | undefined>): Promise<SharedGeneration | undefined> => {
    const stored = await options.store?.read(key);
    if (stored) return stored;
    generated++;
    const made = await make();
    if (made) await options.store?.write(key, made);
    return made;
  };
  return {
    obtain(key, make) {
      const known = kept.get(key);
      if (known) {
        remember(key, known);
        return known;
      }
      const loading = load(key, make);
      remember(key, loading);
      // A generator that threw (a bug; problems are values) is not remembered: the next caller tries again.
      loading.catch(() => kept.get(key) === loading && kept.delete(key));
      return loading;
    },
    get generated() {
      return generated;
    },
  };
}
