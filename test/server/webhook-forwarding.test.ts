/**
 * Shards: a GitHub delivery that reached one replica is passed on to the others as GitHub sent it,
 * and each of them checks it as its own. Two real servers on loopback ports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observability/logger.ts';
import { createWebhookForwarder, FORWARDED_HEADER } from '../../controller/server/forward-webhook.ts';
import { createDeliveryCache } from '../../controller/server/delivery-cache.ts';
import { captureLogs } from '../runtime/support/capture-logs.ts';
import { until } from '../support/time.ts';
import { deliverWebhook, pullRequestEvent, pullRequestReviewEvent, pushEvent } from '../support/github/webhooks.ts';
import { serve, type TestServer } from './support/serve.ts';

const SECRET = 'shared by every replica';
const repository = { owner: 'acme', repo: 'integrations' };
const head = { sha: 'a'.repeat(40), ref: 'change' };
const base = { sha: 'b'.repeat(40), ref: 'main' };

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Replica 0, which forwards to replica 1; both record what they enqueue. */
async function twoReplicas() {
  const reviews: Array<{ replica: number; merged: boolean }> = [];
  const pulls: number[] = [];
  const github = (replica: number) => ({
    secret: SECRET,
    branch: 'main',
    deliveries: createDeliveryCache(100),
    pullRequests: {
      enqueue: (number: number) => pulls.push(number) > 0,
      reviewed: (_number: number, merged: boolean) => (reviews.push({ replica, merged }), []),
    },
  });
  const peer = await serve({ github: github(1) });
  const logs = captureLogs();
  const forwarder = createWebhookForwarder({ shard: 0, peers: () => [peer.url], logger: createLogger({ level: 'debug', destination: logs.destination }) });
  /** The events replica 0 passed on, as it decided while answering the delivery. */
  const passedOn: string[] = [];
  const forward: typeof forwarder = (delivery) => {
    passedOn.push(delivery.event);
    forwarder(delivery);
  };
  const receiver = await serve({ github: { ...github(0), forward } });
  servers.push(peer, receiver);
  return { receiver, peer, reviews, pulls, logs, passedOn };
}

describe('webhooks passed on between shards', () => {
  it('passes a push on to the other replica, which checks it and enqueues its own share', async () => {
    const { receiver, peer } = await twoReplicas();
    const payload = pushEvent({ ...repository, ref: 'refs/heads/main', before: base.sha, after: head.sha });
    const reply = await deliverWebhook(`${receiver.url}/webhooks/github`, 'push', payload, { secret: SECRET });
    expect(reply.status).toBe(202);
    expect(receiver.enqueued.all).toEqual([`push ${head.sha}`]);
    await until('the peer enqueued the push', () => peer.enqueued.all.length === 1);
    expect(peer.logs.lines().some((l) => l.msg === 'push to the tracked branch: enqueued' && l.forwardedFrom === '0')).toBe(true);
    // The peer remembers the delivery id like any other: the same delivery sent to it again is a replay.
    const again = await deliverWebhook(`${peer.url}/webhooks/github`, 'push', payload, { secret: SECRET, delivery: reply.delivery });
    expect(again.status).toBe(401);
  });

  it('trusts nothing for being forwarded: a forged delivery with the header is refused', async () => {
    const { peer } = await twoReplicas();
    const payload = pushEvent({ ...repository, ref: 'refs/heads/main', before: base.sha, after: head.sha });
    const response = await fetch(`${peer.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'forged-1', [FORWARDED_HEADER]: '0', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(401);
    expect(peer.enqueued.all).toEqual([]);
  });

  it('plans a pull request on the replica that received it only', async () => {
    const { receiver, peer, pulls, passedOn } = await twoReplicas();
    const reply = await deliverWebhook(`${receiver.url}/webhooks/github`, 'pull_request', pullRequestEvent({ ...repository, action: 'opened', number: 3, head, base }), { secret: SECRET });
    expect(reply.status).toBe(202);
    expect(pulls).toEqual([3]);
    // Decided before the answer: nothing was handed to the forwarder, so nothing can reach the peer.
    expect(passedOn).toEqual([]);
    expect(peer.logs.lines().filter((l) => l.msg === 'incoming request')).toEqual([]);
    // A push is handed on, through the same forwarder.
    await deliverWebhook(`${receiver.url}/webhooks/github`, 'push', pushEvent({ ...repository, ref: 'refs/heads/main', before: base.sha, after: head.sha }), { secret: SECRET });
    expect(passedOn).toEqual(['push']);
  });

  it('passes on a review of a merged pull request (each replica applies its waiting environments), not one of an open pull request', async () => {
    const { receiver, reviews } = await twoReplicas();
    const review = (merged: boolean) => {
      const payload = pullRequestReviewEvent({ ...repository, action: 'submitted', number: 3, head, base, review: { user: 'bob', state: 'APPROVED', commitId: head.sha } });
      (payload.pull_request as Record<string, unknown>).merged_at = merged ? '2026-12-01T10:00:00Z' : null;
      return payload;
    };
    await deliverWebhook(`${receiver.url}/webhooks/github`, 'pull_request_review', review(false), { secret: SECRET });
    await deliverWebhook(`${receiver.url}/webhooks/github`, 'pull_request_review', review(true), { secret: SECRET });
    await until('the peer took the merged review', () => reviews.filter((r) => r.replica === 1).length === 1);
    expect(reviews).toEqual([
      { replica: 0, merged: false },
      { replica: 0, merged: true },
      { replica: 1, merged: true },
    ]);
  });

  it('logs a peer that cannot be reached and goes on', async () => {
    const logs = captureLogs();
    const forward = createWebhookForwarder({ shard: 0, peers: () => ['http://127.0.0.1:1'], logger: createLogger({ level: 'debug', destination: logs.destination }), timeoutMs: 1000 });
    const receiver = await serve({ github: { secret: SECRET, branch: 'main', deliveries: createDeliveryCache(10), forward } });
    servers.push(receiver);
    const reply = await deliverWebhook(`${receiver.url}/webhooks/github`, 'push', pushEvent({ ...repository, ref: 'refs/heads/main', before: base.sha, after: head.sha }), { secret: SECRET });
    expect(reply.status).toBe(202);
    await until('the failure logged', () => logs.lines().some((l) => l.level === 'warn' && String(l.msg).startsWith('cannot forward the webhook')));
  });
});
