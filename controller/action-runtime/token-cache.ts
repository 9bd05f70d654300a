/** An access token and when it stops being usable (ms since the epoch). */
export interface CachedToken {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
}

export interface TokenCacheOptions {
  now?: () => number;
  /** A token is renewed this long before it expires, so a call never starts with one about to lapse. */
  skewMs?: number;
  /** Used when the token endpoint gives no expires_in. */
  defaultLifetimeMs?: number;
}

/**
 * OAuth 2.0 access tokens by key (connection, fingerprint, token URL, client, scopes): a token is
 * reused until shortly before it expires, then fetched anew; concurrent calls that need a new
 * token share one request to the token endpoint. `invalidate` drops a token the system refused
 * (revoked early), so the next call fetches another.
 */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #pending = new Map<string, Promise<CachedToken>>();
  readonly #now: () => number;
  readonly #skewMs: number;
  readonly #defaultLifetimeMs: number;

  constructor(options: TokenCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#skewMs = options.skewMs ?? 30_000;
    this.#defaultLifetimeMs = options.defaultLifetimeMs ?? 5 * 60_000;
  }

  /** A usable token for the key, fetching one with `fetchToken` when there is none or it is about to expire. */
  async get(key: string, fetchToken: () => Promise<{ accessToken: string; tokenType?: string; expiresInSeconds?: number }>): Promise<CachedToken> {
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt - this.#skewMs > this.#now()) return cached;
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const request = (async () => {
      const fetched = await fetchToken();
      const lifetime = fetched.expiresInSeconds !== undefined && fetched.expiresInSeconds > 0 ? fetched.expiresInSeconds * 1000 : this.#defaultLifetimeMs;
      const token: CachedToken = { accessToken: fetched.accessToken, tokenType: fetched.tokenType ?? 'Bearer', expiresAt: this.#now() + lifetime };
      this.#tokens.set(key, token);
      return token;
    })();
    this.#pending.set(key, request);
    try {
      return await request;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** Drops the token of a key, if it is still the one given. */
  invalidate(key: string, token: CachedToken): void {
    if (this.#tokens.get(key) === token) this.#tokens.delete(key);
  }

  /** How many tokens are held; for tests and metrics. */
  get size(): number {
    return this.#tokens.size;
  }
}
