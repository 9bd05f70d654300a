/**
 * The notifier against real HTTP receivers on loopback ports: filters, de-duplication, the rate
 * limit, retries with backoff (429 and 5xx, never other refusals), giving up, and lanes that do
 * not wait on each other. Retry delays are values the test reads, never waited out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationProviderConfig } from '../../controller/config/notification-config.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import { createNotifier, type NotifierDeps } from '../../controller/notifications/notifier.ts';
import { Registry } from 'prom-client';
import { captureLogs } from '../runtime/support/capture-logs.ts';
import { deadline } from '../support/time.ts';
import { notificationsConfig, sampleEvents } from './support/events.ts';
import { downUrl, startReceiver, type Receiver } from './support/receiver.ts';

let receivers: Receiver[] = [];
let stops: Array<() => void> = [];
afterEach(async () => {
  for (const stop of stops) stop();
  for (const receiver of receivers) await receiver.close();
  receivers = [];
  stops = [];
});

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const started = await startReceiver(options);
  receivers.push(started);
  return started;
}

function provider(name: string, url: string, over: Partial<NotificationProviderConfig> = {}): NotificationProviderConfig {
  return { name, kind: 'slack', url, events: ['Stalled', 'AwaitingApproval', 'Drifted', 'AppliedToProtected', 'BreakingChangeRefused'], ...over };
}

function notifier(providers: NotificationProviderConfig[], over: Partial<NotifierDeps> & { limits?: Parameters<typeof notificationsConfig>[1] } = {}) {
  const logs = captureLogs();
  const delays: number[] = [];
  const registry = new Registry();
  const { limits, ...rest } = over;
  const created = createNotifier({
    config: notificationsConfig(providers, limits),
    logger: createLogger({ level: 'debug', destination: logs.destination }),
    registry,
    retryDelay: (failures) => {
      delays.push(failures);
      return 1;
    },
    ...rest,
  });
  stops.push(() => created.stop());
  const counted = async (name: string, result: string) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'intctl_notifications_total')!;
    return (metric.values as Array<{ labels: Record<string, string>; value: number }>).find((v) => v.labels.provider === name && v.labels.result === result)?.value;
  };
  return { notifier: created, logs, delays, counted };
}

describe('the notifier', () => {
  it('tells each provider only the events and environments its filter names, with every count at zero before', async () => {
    const all = await receiver();
    const prodStalls = await receiver();
    const { notifier: n, counted } = notifier([provider('all', all.url), provider('prod-stalls', prodStalls.url, { events: ['Stalled'], environments: ['prod'] })]);
    for (const result of ['delivered', 'failed', 'deduplicated', 'rate_limited']) expect(await counted('prod-stalls', result)).toBe(0);
    n.notify([...sampleEvents('dev'), ...sampleEvents('prod')]);
    await n.idle();
    expect(all.requests).toHaveLength(10);
    expect(prodStalls.requests.map((r) => JSON.parse(r.body).text as string)).toEqual([expect.stringContaining('intctl: prod stalled')]);
    expect(await counted('all', 'delivered')).toBe(10);
  });

  it('sends the same news once within the window, and again after it', async () => {
    const hook = await receiver();
    let clock = 1_000_000;
    const { notifier: n, counted } = notifier([provider('ops', hook.url)], { now: () => clock, limits: { dedupeWindowMs: 60_000 } });
    const [stalled] = sampleEvents();
    n.notify([stalled!]);
    n.notify([stalled!]);
    await n.idle();
    expect(hook.requests).toHaveLength(1);
    expect(await counted('ops', 'deduplicated')).toBe(1);
    clock += 60_000;
    n.notify([stalled!]);
    await n.idle();
    expect(hook.requests).toHaveLength(2);
  });

  it('drops what passes the rate limit of a provider, and counts it', async () => {
    const hook = await receiver();
    let clock = 0;
    const { notifier: n, counted, logs } = notifier([provider('ops', hook.url)], { now: () => clock, limits: { ratePerMinute: 2 } });
    n.notify(sampleEvents('a'));
    await n.idle();
    expect(hook.requests).toHaveLength(2);
    expect(await counted('ops', 'rate_limited')).toBe(3);
    expect(logs.lines().filter((l) => l.msg === 'notification dropped: rate limit reached')).toHaveLength(3);
    clock += 60_000;
    n.notify(sampleEvents('b').slice(0, 1));
    await n.idle();
    expect(hook.requests).toHaveLength(3);
  });

  it('retries 429 and 5xx with backoff, taking Retry-After into account, until delivered', async () => {
    const hook = await receiver({ answers: [503, { status: 429, retryAfter: '0' }, 200] });
    const { notifier: n, delays, counted, logs } = notifier([provider('ops', hook.url)]);
    n.notify(sampleEvents().slice(0, 1));
    await n.idle();
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.body)).size).toBe(1);
    expect(delays).toEqual([1, 2]);
    expect(await counted('ops', 'delivered')).toBe(1);
    expect(logs.lines().filter((l) => l.msg.startsWith('notification not delivered; retrying')).map((l) => l.error)).toEqual(['HTTP 503', 'HTTP 429']);
  });

  it('does not retry a refusal (a wrong URL or secret) and gives up after maxAttempts, never logging the URL', async () => {
    const refused = await receiver({ answers: [404] });
    const failing = await receiver({ answers: [500, 500, 500, 500] });
    const { notifier: n, counted, logs } = notifier([provider('refused', refused.url), provider('failing', failing.url)]);
    n.notify(sampleEvents().slice(0, 1));
    await n.idle();
    expect(refused.requests).toHaveLength(1);
    expect(failing.requests).toHaveLength(3);
    expect(await counted('refused', 'failed')).toBe(1);
    expect(await counted('failing', 'failed')).toBe(1);
    expect(logs.text()).not.toContain('/hook');
  });

  it('retries a receiver that is down (connection refused) and gives up, while the others are delivered', async () => {
    const up = await receiver();
    const { notifier: n, logs, counted } = notifier([provider('down', await downUrl()), provider('up', up.url)]);
    n.notify(sampleEvents().slice(0, 2));
    await n.idle();
    expect(up.requests).toHaveLength(2);
    expect(await counted('down', 'failed')).toBe(2);
    expect(logs.lines().filter((l) => l.provider === 'down' && l.msg.startsWith('notification not delivered')).map((l) => l.error)).toContain('ECONNREFUSED');
  });

  it('returns from notify at once and delivers to the other providers while one receiver hangs', async () => {
    const hanging = await receiver({ hang: true });
    const up = await receiver();
    const { notifier: n } = notifier([provider('hanging', hanging.url), provider('up', up.url)]);
    n.notify(sampleEvents().slice(0, 3));
    await up.received(3);
    await hanging.received(1);
    // The hanging lane holds its first event; the other lane has delivered all three.
    expect(hanging.held()).toBe(1);
    expect(hanging.requests).toHaveLength(1);
    n.stop();
    await n.idle();
  });

  it('lets what is queued be delivered when closed, then takes nothing more', async () => {
    const slow = await receiver({ hang: true });
    const { notifier: n, counted } = notifier([provider('slow', slow.url)]);
    n.notify(sampleEvents().slice(0, 2));
    await slow.received(1);
    const closing = n.close(deadline(60_000));
    slow.release();
    await closing;
    expect(slow.requests).toHaveLength(2);
    expect(await counted('slow', 'delivered')).toBe(2);
    n.notify(sampleEvents('other'));
    await n.idle();
    expect(slow.requests).toHaveLength(2);
  });
});
