import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';
import { generationalCache } from '../core/generational-cache.ts';
import type { IntegrationSource } from '../generated/manifests.ts';
import type { Generator, ParseOptions, Result } from './generator.ts';

/**
 * Parsed specifications, shared by validation and generation: however many integrations and
 * environments use a specification, it is parsed once. A model is keyed by the generator (system
 * and version), a digest of the bytes, and the parse options (the source without its path), so
 * equal keys mean equal models; requests for a key being parsed wait for that parse.
 */
export interface SpecModels {
  /** The model of a specification: from this cache, or parsed now. */
  model<M>(generator: Generator<M>, specBytes: Uint8Array, source: ParseOptions | IntegrationSource): Promise<Result<M>>;
  /** Ends a pass (a load and what is generated from it): models it did not ask for are dropped. */
  rotate(): void;
  /** Forgets what an unfinished pass parsed, keeping the pass before. */
  discard(): void;
  /** Parses this cache has started, since it was created. */
  readonly parses: number;
  /** Models kept by the last pass that ended. */
  readonly size: number;
}

/**
 * A cache of parsed specifications. Without rotate() it keeps every model it parsed: right for one
 * command or one reconcile. Given to loadRepository, it is rotated at the end of each load, so a
 * long-lived owner (the controller's Git source) holds the specifications of the last load or
 * two, never its whole history. A parse that throws (a generator's bug; problems are values) is
 * not kept.
 */
export function createSpecModels(): SpecModels {
  const cache = generationalCache<Promise<Result<unknown>>>();
  let parses = 0;
  return {
    model<M>(generator: Generator<M>, specBytes: Uint8Array, source: ParseOptions | IntegrationSource): Promise<Result<M>> {
      const { path: _path, ...options } = source as IntegrationSource;
      const key = [generator.system, generator.version, createHash('sha256').update(specBytes).digest('hex'), canonicalJson(options)].join('\0');
      const cached = cache.get(key);
      if (cached) return cached as Promise<Result<M>>;
      parses++;
      const parsing = generator.parse(specBytes, options);
      cache.set(key, parsing);
      parsing.catch(() => cache.delete(key));
      return parsing;
    },
    rotate: () => cache.rotate(),
    discard: () => cache.discard(),
    get parses() {
      return parses;
    },
    get size() {
      return cache.size;
    },
  };
}
