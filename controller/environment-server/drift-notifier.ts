import { CALLBACK_HEADER } from '../core/reconcile-trigger.ts';

/** Whether the controller was told of a change made outside Git. */
export type CallbackOutcome = 'sent' | 'failed' | 'none';

/** Tells the controller that this environment changed outside Git. */
export type DriftNotifier = (change: string) => Promise<CallbackOutcome>;

export interface DriftCallbackOptions {
  /** The environment's name, as the controller knows it. */
  environment: string;
  /** The controller's generic webhook (`POST /webhooks/generic`); undefined: no callback. */
  url?: string;
  /** The bearer token of that webhook. */
  token?: string;
  attempts?: number;
  /** Waits between attempts; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  log?: { info: (object: object, message: string) => void; warn: (object: object, message: string) => void };
}

/**
 * The drift callback: `POST <url>` with `{"environments": [<name>]}` and the bearer token, the
 * body the controller's generic webhook takes (saying it is a callback), so the controller enqueues this environment and
 * reconciles it at once (a trigger only enqueues). Retries a few times with a growing pause; the
 * outcome is reported, never thrown, since the change itself has already happened.
 */
export function driftCallback(options: DriftCallbackOptions): DriftNotifier {
  const { url, token } = options;
  if (url === undefined) return async () => 'none';
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const send = options.fetch ?? fetch;
  return async (change) => {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await send(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CALLBACK_HEADER.name]: CALLBACK_HEADER.value, ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ environments: [options.environment] }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await response.arrayBuffer();
        if (response.ok) {
          options.log?.info({ change, status: response.status }, 'drift callback: controller told');
          return 'sent';
        }
        options.log?.warn({ change, status: response.status, attempt }, 'drift callback: controller refused');
        if (response.status >= 400 && response.status < 500 && response.status !== 429) return 'failed';
      } catch (error) {
        options.log?.warn({ change, attempt, cause: (error as Error).message }, 'drift callback: controller unreachable');
      }
      if (attempt < attempts) await sleep(250 * 2 ** (attempt - 1));
    }
    return 'failed';
  };
}
