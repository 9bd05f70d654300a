import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../controller/core/shard-ring.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import { createMetrics } from '../../controller/observability/metrics.ts';
import { createShardMembership, type MembershipOptions } from '../../controller/process/shard-membership.ts';
import { captureLogs } from './support/capture-logs.ts';
import { manualTimers } from './support/manual-timers.ts';

const PEERS = ['http://shard-0:8080', 'http://shard-1:8080', 'http://shard-2:8080'];
const TTL = 3000;

type Answer = { shard: number; shards: number; ready: boolean } | 'down';

/** Three replicas as seen from shard 0: what each peer answers is set by the test, and so is the clock. */
function setUp(overrides: Partial<MembershipOptions> = {}) {
  const answers = new Map<string, Answer>([
    [PEERS[1]!, { shard: 1, shards: 3, ready: true }],
    [PEERS[2]!, { shard: 2, shards: 3, ready: true }],
  ]);
  const asked: string[] = [];
  let time = 1_000_000;
  const changes: number[][] = [];
  const logs = captureLogs();
  const clock = manualTimers();
  const fakeFetch = (async (input: string | URL | Request) => {
    const url = String(input);
    asked.push(url);
    const answer = answers.get(url.replace(/\/api\/v1\/shard$/, ''));
    if (answer === undefined || answer === 'down') throw new TypeError('fetch failed');
    return new Response(JSON.stringify({ ...answer, live: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const membership = createShardMembership({
    shard: 0,
    shards: 3,
    peers: PEERS,
    goneAfterMs: TTL,
    probeIntervalMs: 500,
    logger: createLogger({ level: 'debug', destination: logs.destination }),
    onChange: (live) => changes.push(live),
    fetch: fakeFetch,
    now: () => time,
    timers: clock.timers,
    ...overrides,
  });
  return {
    membership,
    answers,
    asked,
    changes,
    logs,
    clock,
    advance: (ms: number) => (time += ms),
  };
}

describe('shard membership', () => {
  it('counts every shard as live from the start, before any answer', () => {
    const { membership } = setUp();
    expect(membership.live()).toEqual([0, 1, 2]);
    for (const name of ['dev', 'test', 'prod', 'env-0', 'env-4']) expect(membership.owns(name)).toBe(ownerOf(name, [0, 1, 2]) === 0);
  });

  it('keeps a peer that answers ready, and counts one silent for the lease TTL as gone', async () => {
    const { membership, answers, changes, advance } = setUp();
    answers.set(PEERS[1]!, 'down');
    await membership.probe();
    advance(TTL - 1);
    await membership.probe();
    expect([membership.live(), changes]).toEqual([[0, 1, 2], []]);
    advance(1);
    await membership.probe();
    expect([membership.live(), changes]).toEqual([[0, 2], [[0, 2]]]);
    // Its environments go to the live shards, each to its runner-up; the others stay where they were.
    expect(membership.owns('test')).toBe(ownerOf('test', [0, 2]) === 0);

    answers.set(PEERS[1]!, { shard: 1, shards: 3, ready: true });
    await membership.probe();
    expect([membership.live(), changes]).toEqual([[0, 1, 2], [[0, 2], [0, 1, 2]]]);
  });

  it('does not refresh a peer that answers not ready (starting, or shutting down)', async () => {
    const { membership, answers, advance } = setUp();
    answers.set(PEERS[2]!, { shard: 2, shards: 3, ready: false });
    advance(TTL);
    await membership.probe();
    expect(membership.live()).toEqual([0, 1]);
  });

  it('does not count a peer that answers as another shard, and says why once', async () => {
    const { membership, answers, advance, logs } = setUp();
    answers.set(PEERS[2]!, { shard: 1, shards: 3, ready: true });
    await membership.probe();
    advance(TTL);
    await membership.probe();
    expect(membership.live()).toEqual([0, 1]);
    expect(logs.lines().filter((l) => l.msg.includes('answers as another shard'))).toHaveLength(1);
  });

  it('counts a peer that believes in another number of shards, with a warning', async () => {
    const { membership, answers, advance, logs } = setUp();
    answers.set(PEERS[2]!, { shard: 2, shards: 4, ready: true });
    advance(TTL);
    await membership.probe();
    expect(membership.live()).toEqual([0, 1, 2]);
    expect(logs.lines().some((l) => l.msg === 'the peer believes in another number of shards')).toBe(true);
  });

  it('probes every peer but itself on its timer, until stopped', async () => {
    const { membership, asked, clock } = setUp();
    membership.start();
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual([`${PEERS[1]}/api/v1/shard`, `${PEERS[2]}/api/v1/shard`]);
    expect(clock.delays()).toEqual([500]);
    clock.fireAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toHaveLength(4);
    await membership.stop();
    expect(clock.delays()).toEqual([]);
  });

  it('with one shard owns everything and probes nobody', async () => {
    const { membership, asked, clock } = setUp({ shard: 0, shards: 1, peers: [] });
    membership.start();
    await membership.probe();
    expect([membership.live(), membership.owns('anything'), asked, clock.delays()]).toEqual([[0], true, [], []]);
    await membership.stop();
  });

  it('reports the environments owned and the live peers as gauges', async () => {
    const metrics = createMetrics();
    metrics.observeShards({ owned: () => 3, livePeers: () => 2 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('intctl_shard_owned_environments 3');
    expect(text).toContain('intctl_shard_live_peers 2');
  });
});
