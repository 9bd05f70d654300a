import { deepFreeze } from '../../core/deep-freeze.ts';

/** Catalogs kept at most; past it the oldest is dropped. */
const DEFAULT_LIMIT = 256;

/**
 * Published catalogs, parsed once: a catalog never changes under its integration, artifact hash
 * and publication time, so the runtime, which reads its integration on every call, parses it once
 * per publication instead of once per call. A republish (a new artifact, or the same one published
 * again) is a new key, so nothing stale is ever served. What is kept is frozen, deeply: every caller
 * shares it, and none may change it for the others.
 */
export class CatalogCache {
  readonly #parsed = new Map<string, unknown>();
  readonly #limit: number;

  constructor(limit = DEFAULT_LIMIT) {
    this.#limit = limit;
  }

  /** The catalog of this publication when it was parsed already. */
  cached(name: string, artifactHash: string, publishedAt: string): unknown {
    return this.#parsed.get(key(name, artifactHash, publishedAt));
  }

  /** The catalog of this publication, parsed from `text` unless it was already. */
  catalog(name: string, artifactHash: string, publishedAt: string, text: string): unknown {
    const at = key(name, artifactHash, publishedAt);
    const known = this.#parsed.get(at);
    if (known !== undefined) return known;
    const catalog = deepFreeze(JSON.parse(text) as unknown);
    this.#parsed.set(at, catalog);
    if (this.#parsed.size > this.#limit) this.#parsed.delete(this.#parsed.keys().next().value!);
    return catalog;
  }
}

function key(name: string, artifactHash: string, publishedAt: string): string {
  return `${name}\u0000${artifactHash}\u0000${publishedAt}`;
}
