/**
 * The controller's GitHub client: octokit with its retry and throttling plugins, authenticated
 * with a token or as a GitHub App installation, against api.github.com or a GitHub Enterprise
 * Server. Every HTTP request is counted and its rate-limit headers recorded; GETs are sent as
 * conditional requests, so a repeated read answered 304 costs no rate limit.
 */
import Bottleneck from 'bottleneck';
import { App, Octokit, RequestError } from 'octokit';
import type { GithubConfig } from '../../config/controller-config.ts';
import type { Logger } from '../../observability/logger.ts';
import type { GithubMetrics } from './github-metrics.ts';

export type GithubOctokit = InstanceType<typeof Octokit>;

export interface GithubClientOptions {
  config: Pick<GithubConfig, 'apiUrl' | 'owner' | 'repo' | 'auth'>;
  logger: Logger;
  metrics: GithubMetrics;
  /** How HTTP is sent; tests pass their own. */
  fetch?: typeof fetch;
  /** Longest wait a rate limit may impose before a request is given up (seconds); 60 when left out. */
  maxRetryAfterSeconds?: number;
  /** How many times one request is retried after a rate limit or a 5xx; 3 when left out. */
  retries?: number;
  /** Milliseconds per second of `retry-after` (1000); tests make waits shorter, never skip them. */
  retryAfterBaseMs?: number;
  /**
   * Least milliseconds between two writes (POST, PATCH, PUT, DELETE) of this client. Left out,
   * octokit's throttling keeps the second GitHub asks for, shared by every client of the process;
   * tests make it shorter, never skip it.
   */
  writeIntervalMs?: number;
}

export interface GithubClient {
  owner: string;
  repo: string;
  /** The authenticated octokit (an installation token for an App, renewed before it expires). */
  octokit(): Promise<GithubOctokit>;
}

/** A GitHub request that failed for good (after retries), with what GitHub said. */
export class GithubRequestError extends Error {
  readonly reason = 'GithubRequestFailed';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const ETAG_CACHE_SIZE = 1000;

export function createGithubClient(options: GithubClientOptions): GithubClient {
  const { config, logger, metrics } = options;
  const maxWait = options.maxRetryAfterSeconds ?? 60;
  const retries = options.retries ?? 3;
  const baseMs = options.retryAfterBaseMs ?? 1000;
  const log = logger.child({ component: 'github' });
  const innerFetch = options.fetch ?? fetch;

  const countingFetch: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const response = await innerFetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    metrics.requests.inc({ method, route: routeOf(url.pathname, config.apiUrl), status: String(response.status) });
    const resource = response.headers.get('x-ratelimit-resource') ?? 'core';
    const remaining = Number(response.headers.get('x-ratelimit-remaining'));
    const limit = Number(response.headers.get('x-ratelimit-limit'));
    if (response.headers.has('x-ratelimit-remaining') && Number.isFinite(remaining)) metrics.rateLimitRemaining.set({ resource }, remaining);
    if (response.headers.has('x-ratelimit-limit') && Number.isFinite(limit)) metrics.rateLimitLimit.set({ resource }, limit);
    return response;
  };

  const wantRetry = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retry = retryCount < retries && retryAfter <= maxWait;
    log.warn({ method: request.method, url: request.url, retryAfter, retryCount, retry }, `GitHub ${kind}${retry ? `; retrying in ${retryAfter} s` : '; giving up'}`);
    return retry;
  };

  const ClientOctokit = Octokit.defaults({
    baseUrl: config.apiUrl,
    userAgent: 'intctl',
    request: { fetch: countingFetch },
    // 429 is left to honourRetryAfter (the retry plugin would not wait as long as GitHub asks).
    retry: { retries, retryAfterBaseValue: baseMs, doNotRetry: [304, 400, 401, 403, 404, 406, 410, 422, 429, 451] },
    throttle: {
      onRateLimit: wantRetry('rate limit exhausted'),
      onSecondaryRateLimit: wantRetry('secondary rate limit'),
      retryAfterBaseValue: baseMs,
      fallbackSecondaryRateRetryAfter: Math.min(60, maxWait),
      ...(options.writeIntervalMs === undefined ? {} : { write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs }) }),
    },
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.debug(m), error: (m: string) => log.warn(m) },
  });

  const etags = new Map<string, { etag: string; response: unknown }>();
  const decorate = (octokit: GithubOctokit): GithubOctokit => {
    octokit.hook.wrap('request', async (request, requestOptions) => {
      const method = String(requestOptions.method).toUpperCase();
      if (method !== 'GET') return honourRetryAfter(async () => request(requestOptions), requestOptions, retries, maxWait, baseMs, log);
      const key = octokit.request.endpoint(requestOptions).url;
      const cached = etags.get(key);
      if (cached) requestOptions.headers = { ...requestOptions.headers, 'if-none-match': cached.etag };
      try {
        const response = await honourRetryAfter(async () => request(requestOptions), requestOptions, retries, maxWait, baseMs, log);
        const etag = response.headers.etag;
        if (etag) {
          etags.delete(key);
          etags.set(key, { etag, response });
          if (etags.size > ETAG_CACHE_SIZE) etags.delete(etags.keys().next().value as string);
        }
        return response;
      } catch (error) {
        if (cached && error instanceof RequestError && error.status === 304) return cached.response as Awaited<ReturnType<typeof request>>;
        throw error;
      }
    });
    return octokit;
  };

  let authenticated: Promise<GithubOctokit> | undefined;
  const authenticate = async (): Promise<GithubOctokit> => {
    const auth = config.auth;
    if (auth.kind === 'token') return decorate(new ClientOctokit({ auth: auth.token }));
    const app = new App({ appId: auth.appId, privateKey: auth.privateKey, Octokit: ClientOctokit });
    let installationId = auth.installationId;
    if (installationId === undefined) {
      const { data } = await app.octokit.request('GET /repos/{owner}/{repo}/installation', { owner: config.owner, repo: config.repo });
      installationId = data.id;
      log.info({ installationId }, 'GitHub App installation found');
    }
    return decorate((await app.getInstallationOctokit(installationId)) as GithubOctokit);
  };

  return {
    owner: config.owner,
    repo: config.repo,
    octokit() {
      authenticated ??= authenticate().catch((error: unknown) => {
        authenticated = undefined;
        throw describeError(error);
      });
      return authenticated;
    },
  };
}

/**
 * A 429 that the throttling plugin does not take as a rate limit of GitHub's (a proxy in front of
 * GitHub Enterprise Server answers so): wait as long as `retry-after` asks (or 1, 4, 9 s without
 * it), then try again.
 */
async function honourRetryAfter<T>(
  send: () => Promise<T>,
  requestOptions: { method?: string; url?: string },
  retries: number,
  maxWait: number,
  baseMs: number,
  log: Logger,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof RequestError) || error.status !== 429 || attempt >= retries) throw error;
      const headers = error.response?.headers ?? {};
      if (/\bsecondary rate\b/i.test(error.message) || headers['x-ratelimit-remaining'] === '0') throw error;
      const given = headers['retry-after'];
      const after = given === undefined ? (attempt + 1) ** 2 : Number(given);
      if (!Number.isFinite(after) || after < 0 || after > maxWait) throw error;
      log.warn({ method: requestOptions.method, url: requestOptions.url, status: error.status, retryAfter: after }, `GitHub answered ${error.status}; retrying in ${after} s`);
      await new Promise((resolve) => setTimeout(resolve, after * baseMs));
    }
  }
}

/** The route template of a request path, for metrics: numbers and shas replaced, owner and repo named. */
export function routeOf(pathname: string, apiUrl: string): string {
  const prefix = new URL(apiUrl).pathname.replace(/\/+$/, '');
  const path = prefix && pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname;
  return path
    .replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}')
    .replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/{sha}')
    .replace(/\/\d+(?=\/|$)/g, '/{id}');
}

/** Turns an octokit error into a GithubRequestError that says what GitHub answered, never a token. */
export function describeError(error: unknown): GithubRequestError {
  if (error instanceof GithubRequestError) return error;
  if (error instanceof RequestError) {
    const message = (error.response?.data as { message?: string } | undefined)?.message ?? error.message;
    return new GithubRequestError(`GitHub answered ${error.status} to ${error.request.method} ${redactUrl(error.request.url)}: ${message}`, error.status);
  }
  return new GithubRequestError(`cannot reach GitHub: ${error instanceof Error ? error.message : String(error)}`, 0);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.href;
  } catch {
    return url;
  }
}
