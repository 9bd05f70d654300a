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

export interface ControllerClient {
  /** GET /api/v1/status. */
  statuses(): Promise<ServedStatus[]>;
  /** POST /webhooks/generic with `{"environments": [...]}`, authenticated with the generic webhook token. */
  requestReconcile(environments: readonly string[]): Promise<ReconcileRequested>;
}

/**
 * The command line's side of the controller's HTTP API. Every failure is a ControllerRequestError
 * that names the URL and what went wrong; the token is sent as a bearer token and never appears
 * in a message.
 */
export function controllerClient(config: ControllerClientConfig, fetchImpl: typeof fetch = fetch): ControllerClient {
  const headers = (): Record<string, string> => (config.token !== undefined ? { authorization: `Bearer ${config.token}` } : {});
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> => {
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
      const hint = config.tokenFrom === undefined ? 'no token was given (--token-file or INTCTL_TOKEN)' : `the token from ${config.tokenFrom} was refused`;
      throw new ControllerAuthError(`the controller at ${url} answered ${response.status}: ${hint}`);
    }
    if (!response.ok) {
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
    async requestReconcile(environments) {
      const response = await call('POST', '/webhooks/generic', { environments });
      const body = await json<{ enqueued?: string[]; unknown?: string[] }>(response, 'POST /webhooks/generic');
      const date = Date.parse(response.headers.get('date') ?? '');
      return { enqueued: body.enqueued ?? [], unknown: body.unknown ?? [], ...(Number.isNaN(date) ? {} : { at: date }) };
    },
  };
}
