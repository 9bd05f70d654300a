import { Counter, type Registry } from 'prom-client';
import type { NotificationProviderConfig, NotificationsConfig } from '../config/notification-config.ts';
import type { Logger } from '../observability/logger.ts';
import type { NotificationEvent } from './notification-event.ts';
import { NOTIFICATION_PROVIDERS } from './registry.ts';

/** How a delivery ended, as intctl_notifications_total{provider, result} counts it. */
export type DeliveryResult = 'delivered' | 'failed' | 'deduplicated' | 'rate_limited';
const RESULTS: readonly DeliveryResult[] = ['delivered', 'failed', 'deduplicated', 'rate_limited'];

export interface NotifierDeps {
  config: NotificationsConfig;
  logger: Logger;
  /** Where intctl_notifications_total is registered (initialised at zero for every provider). */
  registry?: Registry;
  /** The delay before retry number `failures` (1 after the first failure): process/backoff.ts's. */
  retryDelay: (failures: number) => number;
  fetch?: typeof fetch;
  /** Milliseconds, for de-duplication and the rate limit. */
  now?: () => number;
}

export interface Notifier {
  /** Queues the events for every provider whose filter takes them, and returns at once: a reconcile never waits on a receiver. */
  notify(events: readonly NotificationEvent[]): void;
  /** Resolves once every queued delivery has ended (delivered, failed or given up): for tests and shutdown. */
  idle(): Promise<void>;
  /** Drops what is queued, aborts what is in flight and cancels retries. */
  stop(): void;
  /** At shutdown: lets the queued deliveries end for up to `graceMs`, then stops. */
  close(graceMs: number): Promise<void>;
}

interface Lane {
  provider: NotificationProviderConfig;
  queue: NotificationEvent[];
  running: boolean;
  /** When deliveries were accepted within the last minute, oldest first. */
  accepted: number[];
}

/** A Retry-After of more than this is not waited for in full; the backoff takes over. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Fire-and-forget delivery of events to the configured providers: one lane per provider,
 * delivered in order; the same news (provider, environment, kind, reason, commit and message)
 * once within the de-duplication window; at most `ratePerMinute` a provider (the excess dropped
 * and counted); network errors, 429 and 5xx retried with backoff up to `maxAttempts`, other
 * answers not retried (a wrong URL or secret needs a person). A receiver that is down or hangs
 * holds up only its own lane. URLs and secrets are never logged.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? fetch;
  const { config, logger } = deps;
  const stopping = new AbortController();
  const sent = new Map<string, number>();
  const waiters: Array<() => void> = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const lanes = config.providers.map((provider): Lane => ({ provider, queue: [], running: false, accepted: [] }));
  const counter = deps.registry
    ? new Counter({
        name: 'intctl_notifications_total',
        help: 'Notifications by provider and how they ended: delivered, failed (after retries), deduplicated, rate_limited.',
        labelNames: ['provider', 'result'],
        registers: [deps.registry],
      })
    : undefined;
  for (const { provider } of lanes) for (const result of RESULTS) counter?.inc({ provider: provider.name, result }, 0);
  const count = (lane: Lane, result: DeliveryResult) => counter?.inc({ provider: lane.provider.name, result });

  const settle = () => {
    if (lanes.some((l) => l.running || l.queue.length > 0)) return;
    for (const resolve of waiters.splice(0)) resolve();
  };
  /** Resolves after `ms`, or at once when the notifier stops; leaves no listener behind. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        timers.delete(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timers.add(timer);
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  /** One POST, aborted after `timeoutMs` or when the notifier stops. */
  const post = async (url: string, init: { headers: Record<string, string>; body: string }): Promise<Response> => {
    const request = new AbortController();
    const abort = () => request.abort();
    const timer = setTimeout(() => request.abort(new DOMException('the receiver did not answer in time', 'TimeoutError')), config.timeoutMs);
    stopping.signal.addEventListener('abort', abort, { once: true });
    try {
      const response = await doFetch(url, { method: 'POST', ...init, signal: request.signal });
      await response.body?.cancel();
      return response;
    } finally {
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', abort);
    }
  };

  const accept = (lane: Lane, event: NotificationEvent): boolean => {
    const at = now();
    const key = `${lane.provider.name}\u0000${event.id}`;
    const last = sent.get(key);
    if (last !== undefined && at - last < config.dedupeWindowMs) {
      count(lane, 'deduplicated');
      logger.debug({ provider: lane.provider.name, event: event.kind, environment: event.environment }, 'notification already sent; skipped');
      return false;
    }
    while (lane.accepted.length > 0 && at - lane.accepted[0]! >= 60_000) lane.accepted.shift();
    if (lane.accepted.length >= config.ratePerMinute) {
      count(lane, 'rate_limited');
      logger.warn({ provider: lane.provider.name, event: event.kind, environment: event.environment, ratePerMinute: config.ratePerMinute }, 'notification dropped: rate limit reached');
      return false;
    }
    for (const [k, t] of sent) if (at - t >= config.dedupeWindowMs) sent.delete(k);
    sent.set(key, at);
    lane.accepted.push(at);
    return true;
  };

  const deliver = async (lane: Lane, event: NotificationEvent): Promise<void> => {
    const { provider } = lane;
    const request = NOTIFICATION_PROVIDERS[provider.kind].render(event, provider);
    const fields = { provider: provider.name, event: event.kind, environment: event.environment };
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted) return;
      let retryAfterMs: number | undefined;
      let why: string;
      try {
        const response = await post(provider.url, request);
        if (response.ok) {
          count(lane, 'delivered');
          logger.info({ ...fields, status: response.status, attempt }, 'notification delivered');
          return;
        }
        why = `HTTP ${response.status}`;
        if (response.status !== 429 && response.status < 500) {
          count(lane, 'failed');
          logger.error({ ...fields, status: response.status }, 'notification refused by the receiver; not retried (check the provider URL and secret)');
          return;
        }
        const header = Number(response.headers.get('retry-after'));
        if (Number.isFinite(header) && header > 0) retryAfterMs = Math.min(header * 1000, MAX_RETRY_AFTER_MS);
      } catch (error) {
        if (stopping.signal.aborted) return;
        why = errorCode(error);
      }
      if (attempt >= config.maxAttempts) {
        count(lane, 'failed');
        logger.error({ ...fields, attempts: attempt, error: why }, 'notification not delivered; giving up');
        return;
      }
      const delayMs = Math.max(deps.retryDelay(attempt), retryAfterMs ?? 0);
      logger.warn({ ...fields, attempt, error: why, delayMs }, 'notification not delivered; retrying with backoff');
      await sleep(delayMs);
    }
  };

  const pump = async (lane: Lane): Promise<void> => {
    if (lane.running) return;
    lane.running = true;
    try {
      for (let event = lane.queue.shift(); event !== undefined && !stopping.signal.aborted; event = lane.queue.shift()) {
        try {
          await deliver(lane, event);
        } catch (error) {
          count(lane, 'failed');
          logger.error({ provider: lane.provider.name, error: errorCode(error) }, 'notification could not be rendered');
        }
      }
    } finally {
      lane.running = false;
      if (stopping.signal.aborted) lane.queue.length = 0;
      settle();
    }
  };

  const api: Notifier = {
    notify(events) {
      if (stopping.signal.aborted) return;
      for (const lane of lanes) {
        const { provider } = lane;
        const taken = events.filter((e) => provider.events.includes(e.kind) && (provider.environments === undefined || provider.environments.includes(e.environment)));
        for (const event of taken) if (accept(lane, event)) lane.queue.push(event);
        if (lane.queue.length > 0) void pump(lane);
      }
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    async close(graceMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([api.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      api.stop();
    },
    stop() {
      stopping.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const lane of lanes) lane.queue.length = 0;
      settle();
    },
  };
  return api;
}

/** What went wrong, without the URL: fetch's messages and causes may hold it. */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (error instanceof DOMException || (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return (error as Error).name;
  return (error as Error).name || 'Error';
}
