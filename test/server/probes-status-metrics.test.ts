import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../controller/server/build-server.ts';
import { createFixtureRepo } from '../runtime/support/fixture-repo.ts';
import { controllerHarness } from '../runtime/support/harness.ts';
import { localGitSource } from '../runtime/support/local-git-source.ts';
import { Registry } from 'prom-client';
import { createLogger } from '../../controller/observability/logger.ts';

let work: string;
let repo: string;
let app: FastifyInstance | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-server-'));
  repo = join(work, 'repo');
});
afterEach(async () => {
  await app?.close();
  await rm(work, { recursive: true, force: true });
});

async function serveController(harness: ReturnType<typeof controllerHarness>) {
  const { controller, metrics } = harness;
  const server = await buildServer({
    logger: createLogger({ level: 'silent' }),
    readiness: () => controller.readiness(),
    statuses: () => controller.statuses(),
    registry: metrics.registry,
    enqueueAll: (reason) => controller.enqueueAll(reason),
    enqueue: (names, reason) => controller.enqueue(names, reason),
  });
  app = server as unknown as FastifyInstance;
  return server;
}

/** The value of one sample of the text format: the line whose name and labels all match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('probes, status and metrics of a running controller', () => {
  it('is live at once, ready only after the first successful fetch, and not ready once shutting down', async () => {
    const harness = controllerHarness({ source: localGitSource(repo), stateDir: join(work, 'state') });
    const server = await serveController(harness);
    expect((await server.inject('/healthz')).statusCode).toBe(200);
    const before = await server.inject('/readyz');
    expect([before.statusCode, before.json()]).toEqual([503, { status: 'not ready', reason: 'the tracked branch has not been fetched yet' }]);

    harness.controller.enqueueAll('start');
    await harness.controller.queue.idle();
    expect((await server.inject('/readyz')).statusCode).toBe(503);

    await createFixtureRepo(repo);
    harness.clock.fireAll();
    await harness.controller.queue.idle();
    const after = await server.inject('/readyz');
    expect([after.statusCode, after.json()]).toEqual([200, { status: 'ready' }]);
    expect((await server.inject('/healthz')).json()).toEqual({ status: 'ok' });

    await harness.controller.stop();
    const stopping = await server.inject('/readyz');
    expect([stopping.statusCode, stopping.json()]).toEqual([503, { status: 'not ready', reason: 'shutting down' }]);
  });

  it('serves each environment with its conditions, observed commit and last reconcile time', async () => {
    const commit = await createFixtureRepo(repo);
    const harness = controllerHarness({ source: localGitSource(repo), stateDir: join(work, 'state') });
    const server = await serveController(harness);
    expect((await server.inject('/api/v1/status')).json()).toEqual({ environments: [] });
    harness.controller.enqueueAll('start');
    await harness.controller.queue.idle();

    const body = (await server.inject('/api/v1/status')).json() as { environments: Array<Record<string, unknown>> };
    expect(body.environments.map((e) => e.name)).toEqual(['dev', 'test']);
    const dev = body.environments[0]!;
    expect(dev).toMatchObject({
      name: 'dev',
      observedCommit: commit,
      outcome: 'Applied',
      lastReconcileTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastSuccessfulReconcileTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      published: [{ integration: 'crm', version: expect.any(String), artifactHash: expect.stringMatching(/^sha256:/), commit }],
    });
    expect(dev.conditions).toEqual([
      { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: expect.any(String), observedCommit: commit, lastTransitionTime: expect.any(String) },
    ]);
  });

  it('exposes the reconcile, queue and fetch metrics in the Prometheus text format', async () => {
    const harness = controllerHarness({ source: localGitSource(repo), stateDir: join(work, 'state') });
    const server = await serveController(harness);
    harness.controller.enqueueAll('start');
    await harness.controller.queue.idle();
    await createFixtureRepo(repo);
    harness.clock.fireAll();
    await harness.controller.queue.idle();

    const response = await server.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    for (const environment of ['dev', 'test']) {
      expect(sample(text, 'intctl_reconcile_duration_seconds_count', { environment, outcome: 'Applied' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'intctl_last_successful_reconcile_timestamp_seconds', { environment })).toBeGreaterThan(1_600_000_000);
    }
    expect(sample(text, 'intctl_queue_depth')).toBe(0);
    expect(sample(text, 'intctl_reconcile_errors_total', { reason: 'GitFetchFailed' })).toBe(1);
    expect(sample(text, 'intctl_git_fetch_duration_seconds_count', { result: 'failure' })).toBe(1);
    expect(sample(text, 'intctl_git_fetch_duration_seconds_count', { result: 'success' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^# TYPE intctl_reconcile_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE intctl_git_fetch_duration_seconds histogram$/m);
  });
});

describe('GET /api/v1/status behind the API read door', () => {
  it('needs the API token when api.readAccess is token, as every other read of the API does', async () => {
    const server = await buildServer({
      logger: createLogger({ level: 'silent' }),
      readiness: () => ({ ready: true }),
      statuses: () => [],
      apiAccess: { token: 'api-token-for-reads', readAccess: 'token' },
      registry: new Registry(),
      enqueueAll: () => [],
      enqueue: () => ({ enqueued: [], unknown: [] }),
    });
    app = server as unknown as FastifyInstance;
    const refused = await server.inject('/api/v1/status');
    expect([refused.statusCode, refused.json()]).toEqual([401, { error: 'Unauthorized', message: 'a valid API token is required (Authorization: Bearer <token>)' }]);
    const read = await server.inject({ url: '/api/v1/status', headers: { authorization: 'Bearer api-token-for-reads' } });
    expect([read.statusCode, read.json()]).toEqual([200, { environments: [] }]);
    expect((await server.inject('/healthz')).statusCode).toBe(200);
  });
});
