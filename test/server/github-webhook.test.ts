import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeliveryCache } from '../../controller/server/delivery-cache.ts';
import { deliverWebhook, webhookExample as example } from '../support/github/webhooks.ts';
import { serve, type TestServer } from './support/serve.ts';

const SECRET = 'It’s a Secret to Everybody';

/** Sends a payload as GitHub does: the JSON bytes, signed with HMAC-SHA256 in X-Hub-Signature-256. */
async function deliver(
  server: TestServer,
  event: string,
  payload: unknown,
  options: { secret?: string; delivery?: string; signature?: string | null; body?: string } = {},
) {
  const reply = await deliverWebhook(`${server.url}/webhooks/github`, event, payload, { ...options, secret: options.secret ?? SECRET });
  return { status: reply.status, body: reply.body as Record<string, unknown> };
}

let server: TestServer;
afterEach(async () => server?.close());

describe('POST /webhooks/github', () => {
  it('answers a ping with 200 and enqueues nothing', async () => {
    server = await serve({ githubSecret: SECRET });
    const reply = await deliver(server, 'ping', example('ping'));
    expect(reply).toMatchObject({ status: 200, body: { result: 'pong', event: 'ping' } });
    expect(server.enqueued.all).toEqual([]);
  });

  it('enqueues every environment for a push to the tracked branch', async () => {
    server = await serve({ githubSecret: SECRET, branch: 'master' });
    const push = example('push', (p) => p.ref === 'refs/heads/master');
    const reply = await deliver(server, 'push', push);
    expect(reply).toMatchObject({ status: 202, body: { result: 'accepted', event: 'push', enqueued: ['dev', 'test'] } });
    expect(server.enqueued.all).toEqual([`push ${String(push.after)}`]);
  });

  it.each([
    ['a tag', 'master', (p: Record<string, unknown>) => p.ref === 'refs/tags/simple-tag', 'push to refs/tags/simple-tag, not to the tracked branch master'],
    ['another branch', 'main', (p: Record<string, unknown>) => p.ref === 'refs/heads/master', 'push to refs/heads/master, not to the tracked branch main'],
  ])('ignores a push of %s', async (_name, branch, match, reason) => {
    server = await serve({ githubSecret: SECRET, branch });
    const reply = await deliver(server, 'push', example('push', match));
    expect(reply).toMatchObject({ status: 202, body: { result: 'ignored', reason } });
    expect(server.enqueued.all).toEqual([]);
  });

  it.each(['opened', 'synchronize', 'reopened', 'closed'])('enqueues the plan of a pull request %s', async (action) => {
    const pulls: Array<{ number: number; reason: string }> = [];
    server = await serve({
      github: {
        secret: SECRET,
        branch: 'master',
        deliveries: createDeliveryCache(10),
        pullRequests: { enqueue: (number, reason) => pulls.push({ number, reason }) > 0, reviewed: () => [] },
      },
    });
    const payload = example('pull_request', (p) => p.action === action);
    const reply = await deliver(server, 'pull_request', payload);
    expect(reply).toMatchObject({ status: 202, body: { result: 'accepted', event: 'pull_request', enqueued: [`pull/${String(payload.number)}`] } });
    expect(pulls).toEqual([{ number: payload.number, reason: `pull_request ${action} #${String(payload.number)}` }]);
    expect(server.enqueued.all).toEqual([]);
  });

  it('ignores pull requests when GitHub reporting is not configured', async () => {
    server = await serve({ githubSecret: SECRET });
    const reply = await deliver(server, 'pull_request', example('pull_request', (p) => p.action === 'opened'));
    expect(reply).toMatchObject({ status: 202, body: { result: 'ignored', reason: 'pull requests are planned only when GitHub reporting is configured (github.*)' } });
    expect(server.enqueued.all).toEqual([]);
  });

  it.each([
    ['an open pull request', false],
    ['a merged pull request', true],
  ])('passes a review of %s on, saying whether it is merged', async (_name, merged) => {
    const reviews: Array<{ number: number; merged: boolean }> = [];
    server = await serve({
      github: {
        secret: SECRET,
        branch: 'master',
        deliveries: createDeliveryCache(10),
        pullRequests: { enqueue: () => true, reviewed: (number, isMerged) => (reviews.push({ number, merged: isMerged }), ['prod']) },
      },
    });
    const payload = structuredClone(example('pull_request_review', (p) => p.action === 'submitted'));
    const pull = payload.pull_request as Record<string, unknown>;
    pull.merged_at = merged ? '2026-11-30T10:00:00Z' : null;
    const reply = await deliver(server, 'pull_request_review', payload);
    expect(reply).toMatchObject({ status: 202, body: { result: 'accepted', event: 'pull_request_review', enqueued: ['prod'] } });
    expect(reviews).toEqual([{ number: pull.number, merged }]);
  });

  it.each([
    ['signed with another secret', { secret: 'not the secret' }],
    ['without a signature', { signature: null }],
    ['with a SHA-1 signature', { signature: 'sha1=7d38cdd689735b008b3c702edd92eea23791c5f6' }],
    ['with a signature of the right length that is not the HMAC', { signature: `sha256=${'0'.repeat(64)}` }],
    ['whose body was changed after signing', { body: JSON.stringify({ ...example('push', (p) => p.ref === 'refs/heads/master'), after: 'f'.repeat(40) }) }],
  ])('refuses a push %s with 401, logs it, and enqueues nothing', async (_name, options) => {
    server = await serve({ githubSecret: SECRET });
    const reply = await deliver(server, 'push', example('push', (p) => p.ref === 'refs/heads/master'), options);
    expect(reply).toMatchObject({ status: 401, body: { error: 'InvalidSignature' } });
    expect(server.enqueued.all).toEqual([]);
    expect(server.logs.lines().some((l) => l.level === 'warn' && l.msg.startsWith('webhook refused: the signature'))).toBe(true);
  });

  it('refuses a delivery sent a second time (a replay) with 401', async () => {
    server = await serve({ githubSecret: SECRET });
    const push = example('push', (p) => p.ref === 'refs/heads/master');
    const delivery = randomUUID();
    expect((await deliver(server, 'push', push, { delivery })).status).toBe(202);
    const replay = await deliver(server, 'push', push, { delivery });
    expect(replay).toMatchObject({ status: 401, body: { error: 'ReplayedDelivery', message: `delivery ${delivery} was received before` } });
    expect(server.enqueued.all).toHaveLength(1);
    expect(server.logs.lines().some((l) => l.level === 'warn' && l.delivery === delivery && l.msg.includes('replay'))).toBe(true);
  });

  it('does not let a forged request use up a delivery id', async () => {
    server = await serve({ githubSecret: SECRET });
    const push = example('push', (p) => p.ref === 'refs/heads/master');
    const delivery = randomUUID();
    expect((await deliver(server, 'push', push, { delivery, secret: 'forged' })).status).toBe(401);
    expect((await deliver(server, 'push', push, { delivery })).status).toBe(202);
  });

  it.each([
    ['push', null, 'the payload of a push event must be a JSON object, not null'],
    ['ping', null, 'the payload of a ping event must be a JSON object, not null'],
    ['push', [], 'the payload of a push event must be a JSON object, not an array'],
    ['push', 'refs/heads/master', 'the payload of a push event must be a JSON object, not a string'],
    ['push', { ref: 7 }, 'the payload of a push event must have `ref` as a string, not a number'],
    ['push', { ref: 'refs/heads/master', after: { sha: 'f' } }, 'the payload of a push event must have `after` as a string, not an object'],
    ['pull_request', { action: 'opened', number: '7' }, 'the payload of a pull_request event must have `number` as a positive integer, not a string'],
    ['pull_request_review', { action: 'submitted', pull_request: null }, 'the payload of a pull_request_review event must have `pull_request` as an object, not null'],
    ['pull_request_review', { action: 'submitted', pull_request: { number: 3, merged_at: 5 } }, 'the payload of a pull_request_review event must have `pull_request.merged_at` as a string or null, not a number'],
  ])('answers 400 naming what is wrong with a well-signed %s payload %j, and enqueues nothing', async (event, payload, message) => {
    const pulls: number[] = [];
    server = await serve({
      github: {
        secret: SECRET,
        branch: 'master',
        deliveries: createDeliveryCache(10),
        pullRequests: { enqueue: (number) => pulls.push(number) > 0, reviewed: (number) => (pulls.push(number), ['prod']) },
      },
    });
    const reply = await deliver(server, event, payload);
    expect(reply).toEqual({ status: 400, body: { error: 'InvalidPayload', message } });
    expect(server.enqueued.all).toEqual([]);
    expect(pulls).toEqual([]);
  });

  it('answers 400 to a request without the event or delivery headers', async () => {
    server = await serve({ githubSecret: SECRET });
    const response = await fetch(`${server.url}/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(400);
    expect(server.enqueued.all).toEqual([]);
  });

  it('is not there without a webhook secret', async () => {
    server = await serve({});
    const reply = await fetch(`${server.url}/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reply.status).toBe(404);
  });
});
