import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observability/logger.ts';
import { createShardMembership } from '../../controller/process/shard-membership.ts';
import { captureLogs } from '../runtime/support/capture-logs.ts';
import { serve, type TestServer } from './support/serve.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /api/v1/shard', () => {
  it('answers who the replica is, how many shards it knows, whether it is ready and whom it counts as live', async () => {
    server = await serve({ shard: () => ({ shard: 1, shards: 3, ready: true, live: [0, 1, 2] }) });
    const response = await fetch(`${server.url}/api/v1/shard`);
    expect([response.status, await response.json()]).toEqual([200, { shard: 1, shards: 3, ready: true, live: [0, 1, 2] }]);
  });

  it('is absent without a shard source', async () => {
    server = await serve();
    expect((await fetch(`${server.url}/api/v1/shard`)).status).toBe(404);
  });

  it("is what a peer's membership probe reads: live while it answers, gone once it has not for the lease TTL", async () => {
    let ready = true;
    server = await serve({ shard: () => ({ shard: 1, shards: 2, ready, live: [0, 1] }) });
    let time = 0;
    const membership = createShardMembership({
      shard: 0,
      shards: 2,
      peers: ['http://127.0.0.1:1', server.url],
      goneAfterMs: 1000,
      probeIntervalMs: 100,
      logger: createLogger({ level: 'silent', destination: captureLogs().destination }),
      now: () => time,
    });
    time = 5000;
    await membership.probe();
    expect(membership.live()).toEqual([0, 1]);
    ready = false;
    time = 6000;
    await membership.probe();
    expect(membership.live()).toEqual([0]);
    ready = true;
    await membership.probe();
    expect(membership.live()).toEqual([0, 1]);
    await server.close();
    server = undefined;
    time = 7000;
    await membership.probe();
    expect(membership.live()).toEqual([0]);
  });
});
