/**
 * Every notification provider of the registry, delivered through the notifier to a real HTTP
 * receiver on a loopback port, with every kind of event: a JSON POST in the shape its service
 * documents, the event's words in it, and no secret in it. Adding a provider without its shape
 * check here fails the first test.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_PROVIDER_KINDS, type NotificationProviderKind } from '../../controller/config/notification-config.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import type { NotificationEvent } from '../../controller/notifications/notification-event.ts';
import { createNotifier } from '../../controller/notifications/notifier.ts';
import { NOTIFICATION_PROVIDERS } from '../../controller/notifications/registry.ts';
import { notificationsConfig, sampleEvents } from './support/events.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const SECRET = 'webhook-signing-secret-for-tests';
let receivers: Receiver[] = [];
afterEach(async () => {
  for (const receiver of receivers) await receiver.close();
  receivers = [];
});

type Json = Record<string, unknown>;

/**
 * Microsoft's own Adaptive Cards library (its UMD build: the package's ES modules do not load in
 * Node), as Teams reads a card: it reports unknown elements and invalid property values.
 */
const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void; toJSON(): Json };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

function adaptiveCardProblems(card: Json): string[] {
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
}

/** What each service documents its receiver accepts; the body as parsed, the raw body and headers. */
const SHAPES: Record<NotificationProviderKind, (body: Json, raw: string, headers: IncomingHttpHeaders, event: NotificationEvent) => void> = {
  // https://api.slack.com/messaging/webhooks and https://api.slack.com/reference/block-kit/blocks
  slack(body) {
    expect(typeof body.text).toBe('string');
    expect((body.text as string).length).toBeGreaterThan(0);
    const blocks = body.blocks as Json[];
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) {
      expect(['header', 'section', 'context', 'divider']).toContain(block.type);
      if (block.type === 'header') {
        expect(block.text).toMatchObject({ type: 'plain_text', text: expect.any(String) });
        expect(((block.text as Json).text as string).length).toBeLessThanOrEqual(150);
      }
      if (block.type === 'section') {
        expect(block.text !== undefined || block.fields !== undefined).toBe(true);
        if (block.text) expect((block.text as Json).type).toBe('mrkdwn');
        if (block.text) expect(((block.text as Json).text as string).length).toBeLessThanOrEqual(3000);
        const fields = (block.fields ?? []) as Json[];
        expect(fields.length).toBeLessThanOrEqual(10);
        for (const field of fields) expect(field).toEqual({ type: 'mrkdwn', text: expect.any(String) });
      }
    }
    // mrkdwn control characters are escaped, as Slack's formatting docs require.
    expect(JSON.stringify(blocks)).not.toMatch(/<sales-orders>/);
    expect(JSON.stringify(blocks)).toContain('&lt;sales-orders&gt; &amp; more');
  },
  // https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
  teams(body) {
    expect(body.type).toBe('message');
    const attachments = body.attachments as Json[];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null });
    const card = attachments[0]!.content as Json;
    expect(card).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: expect.stringMatching(/^1\.[0-5]$/) });
    const elements = card.body as Json[];
    for (const element of elements) {
      expect(['TextBlock', 'FactSet']).toContain(element.type);
      if (element.type === 'TextBlock') expect(typeof element.text).toBe('string');
      if (element.type === 'FactSet') for (const fact of element.facts as Json[]) expect(fact).toEqual({ title: expect.any(String), value: expect.any(String) });
    }
    expect(elements.some((e) => e.type === 'FactSet')).toBe(true);
    expect(adaptiveCardProblems(card)).toEqual([]);
    // Nothing of it is dropped when the library reads it back.
    expect(roundTrip(card)).toEqual(card);
  },
  webhook(body, raw, headers, event) {
    const given = String(headers['x-intctl-signature']);
    expect(given).toMatch(/^sha256=[0-9a-f]{64}$/);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
    expect(timingSafeEqual(Buffer.from(given), expected)).toBe(true);
    expect(headers['x-intctl-event']).toBe(event.kind);
    expect(headers['x-intctl-delivery']).toBe(event.id);
    expect(body).toEqual({ apiVersion: 'intctl.dev/v1alpha1', kind: 'NotificationEvent', event });
  },
};

function roundTrip(card: Json): Json {
  const parsed = new AdaptiveCards.AdaptiveCard();
  parsed.parse(card, new AdaptiveCards.SerializationContext());
  return parsed.toJSON();
}

describe('the Adaptive Cards library the Teams shape is checked with', () => {
  it('reports what Teams would not show', () => {
    expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.4', body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', color: 'Purple' }] })).toEqual([
      expect.stringContaining('Unknown element type "Bogus"'),
      expect.stringContaining('Invalid value "Purple" for property "color"'),
    ]);
  });
});

describe('the notification provider registry', () => {
  it('lists every provider kind the configuration accepts, each with its documented shape checked here', () => {
    expect(Object.keys(NOTIFICATION_PROVIDERS).sort()).toEqual([...NOTIFICATION_PROVIDER_KINDS].sort());
    expect(Object.keys(SHAPES).sort()).toEqual([...NOTIFICATION_PROVIDER_KINDS].sort());
  });

  it.each(NOTIFICATION_PROVIDER_KINDS)('%s: delivers every kind of event to a real receiver in the shape its service documents', async (kind) => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const events = sampleEvents();
    const notifier = createNotifier({
      config: notificationsConfig([{ name: `test-${kind}`, kind, url: receiver.url, ...(kind === 'webhook' ? { secret: SECRET } : {}), events: events.map((e) => e.kind) }]),
      logger: createLogger({ level: 'silent' }),
      retryDelay: () => 1,
    });
    notifier.notify(events);
    const requests = await receiver.received(events.length);
    await notifier.idle();
    // In order, one request an event, each a JSON POST with the event's words and never the secret.
    requests.forEach((request, i) => {
      const event = events[i]!;
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/hook');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.body).not.toContain(SECRET);
      const body = JSON.parse(request.body) as Json;
      expect(request.body).toContain(event.environment);
      expect(request.body).toContain(event.reason);
      SHAPES[kind](body, request.body, request.headers, event);
    });
    expect(receiver.requests).toHaveLength(events.length);
  });
});
