import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { ControllerClientConfig } from '../config/read-config.ts';

/** An environment as GET /api/v1/status serves it: the controller's status, under `name`. */
export type ServedStatus = Omit<EnvironmentStatus, 'environment'> & { name: string };

/** What a reconcile request was told: the environments queued, those the controller does not know, and when it answered. */
export interface ReconcileRequested {
  enqueued: string[];
  unknown: string[];
  /** The controller's clock when it answered (the Date header, to the second); undefined when it sent none. */
  at?: number;
}

/** The controller could not be asked, or answered with an error: a failure of the command (exit 1), its message naming the URL. */
export class ControllerRequestError extends Error {}

/** The controller refused the token (401 or 403): the message says where the token came from, never what it is. */
export class ControllerAuthError extends ControllerRequestError {}

/** An environment as GET /api/v1/overview serves it: the fields `intctl status` reads of it. */
export interface OverviewEnvironment {
  name: string;
  promotesFrom?: string;
}

/** GET /api/v1/overview, the fields `intctl status` reads: the tracked branch's head and the environments in promotion order. */
export interface ServedOverview {
  head?: string;
  environments: OverviewEnvironment[];
}

export interface ControllerClient {
  /** GET /api/v1/status. */
  statuses(): Promise<ServedStatus[]>;
  /** GET /api/v1/overview; undefined when the controller serves none (one older than the API's overview). */
  overview(): Promise<ServedOverview | undefined>;
  /** POST /api/v1/environments/{name}/reconcile, authenticated with the controller's API token; an environment it does not know comes back in `unknown`. */
  requestReconcile(environment: string): Promise<ReconcileRequested>;
}

/**
 * The command line's side of the controller's HTTP API. Every failure is a ControllerRequestError
 * that names the URL and what went wrong; the token is sent as a bearer token and never appears
 * in a message.
 */
export function controllerClient(config: ControllerClientConfig, fetchImpl: typeof fetch = fetch): ControllerClient {
  const headers = (): Record<string, string> => (config.token !== undefined ? { authorization: `Bearer ${config.token}` } : {});
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, accept: readonly number[] = []): Promise<Response> => {
    const url = `${config.url}${path}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: { accept: 'application/json', ...headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ControllerRequestError(`cannot reach the controller at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (response.status === 401 || response.status === 403) {
      const hint = config.tokenFrom === undefined ? "no token was given (--token-file or INTCTL_TOKEN, the controller's API token)" : `the token from ${config.tokenFrom} was refused`;
      throw new ControllerAuthError(`the controller at ${url} answered ${response.status}: ${hint}`);
    }
    if (!response.ok && !accept.includes(response.status)) {
      const text = await response.text().catch(() => '');
      throw new ControllerRequestError(`the controller at ${url} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    }
    return response;
  };
  const json = async <T>(response: Response, what: string): Promise<T> => {
    try {
      return (await response.json()) as T;
    } catch {
      throw new ControllerRequestError(`the controller at ${config.url} answered ${what} with something that is not JSON`);
    }
  };
  return {
    async statuses() {
      const body = await json<{ environments?: ServedStatus[] }>(await call('GET', '/api/v1/status'), 'GET /api/v1/status');
      if (!Array.isArray(body.environments)) throw new ControllerRequestError(`the controller at ${config.url} answered GET /api/v1/status without environments`);
      return body.environments;
    },
    async overview() {
      const response = await call('GET', '/api/v1/overview', undefined, [404]);
      if (response.status === 404) return undefined;
      const body = await json<Partial<ServedOverview>>(response, 'GET /api/v1/overview');
      if (!Array.isArray(body.environments)) throw new ControllerRequestError(`the controller at ${config.url} answered GET /api/v1/overview without environments`);
      return { ...(typeof body.head === 'string' ? { head: body.head } : {}), environments: body.environments };
    },
    async requestReconcile(environment) {
      const path = `/api/v1/environments/${encodeURIComponent(environment)}/reconcile`;
      // 400: a name the API's pattern refuses; 404: no such environment. Either way, not one the controller knows.
      const response = await call('POST', path, undefined, [400, 404]);
      const date = Date.parse(response.headers.get('date') ?? '');
      const at = Number.isNaN(date) ? {} : { at: date };
      if (!response.ok) return { enqueued: [], unknown: [environment], ...at };
      const body = await json<{ enqueued?: string[] }>(response, `POST ${path}`);
      return { enqueued: body.enqueued ?? [], unknown: [], ...at };
    },
  };
}
