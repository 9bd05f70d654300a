import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { driftCallback } from '../../controller/environment-server/drift-notifier.ts';
import { createDriftWatch, driftOf } from '../../controller/environment-server/drift-watch.ts';
import type { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { runCli } from '../helpers/cli.ts';
import { serve as serveController, type TestServer } from '../server/support/serve.ts';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from './support/manifest-repo.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from './support/serve-environment.ts';
import { startWarehouse, WAREHOUSE_KEY, type Warehouse } from './support/warehouse.ts';

const WEBHOOK_TOKEN = 'controller-generic-webhook-token-1';
const TOKEN_VARIABLE = 'INTCTL_TEST_DRIFT_ENV_TOKEN';

let controller: TestServer;
let served: ServedEnvironment;
let warehouse: Warehouse;
let work: string;
let repo: string;

const cli = (...args: string[]) => runCli([...args, '--state-dir', join(work, 'state')]);

async function operator(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${served.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.operator}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

beforeEach(async () => {
  // The controller's own server, whose generic webhook only enqueues (here: records what it was asked).
  controller = await serveController({ genericToken: WEBHOOK_TOKEN, known: ['dev'] });
  warehouse = await startWarehouse('apiKey');
  served = await serveEnvironment({
    name: 'dev',
    deps: { notifyDrift: driftCallback({ environment: 'dev', url: `${controller.url}/webhooks/generic`, token: WEBHOOK_TOKEN }) },
  });
  work = await mkdtemp(join(tmpdir(), 'intctl-drift-'));
  repo = join(work, 'repo');
  process.env[TOKEN_VARIABLE] = TOKENS.controller;
  await writeRepo(repo, {
    'specs/warehouse.yaml': await (await fetch(`${warehouse.url}/openapi.yaml`)).text(),
    'environments.yaml': [environmentManifest('dev', { driver: 'http', url: served.url, token: { env: TOKEN_VARIABLE } })],
    'connections/warehouse.yaml': [
      connectionManifest('warehouse', {
        system: 'openapi',
        auth: { type: 'apiKey', apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
        environments: { dev: { endpoint: warehouse.url, apiKey: { sealed: sealSecret(await served.driver.publicKey(), WAREHOUSE_KEY) } } },
      }),
    ],
    'integrations/warehouse.yaml': [
      integrationManifest('warehouse', { system: 'openapi', source: { path: 'specs/warehouse.yaml' }, entities: [{ name: 'items', operations: ['Get'] }], connection: 'warehouse', environments: ['dev'] }),
    ],
  });
  expect((await cli('apply', repo, '--env', 'dev')).code).toBe(0);
  expect((await cli('plan', repo, '--env', 'dev')).code).toBe(0);
});
afterEach(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served.close();
  await controller.close();
  await warehouse.close();
  await rm(work, { recursive: true, force: true });
});

describe('drift callback', () => {
  it('calls the controller back when an operator unpublishes by hand, and the controller then plans to put it back', async () => {
    expect(await operator('DELETE', '/v1/integrations/warehouse')).toEqual({ status: 200, body: { changed: 'integration/warehouse', callback: 'sent' } });
    expect(controller.enqueued.some).toEqual([{ environments: ['dev'], reason: 'environment callback' }]);

    const planned = await cli('plan', repo, '--env', 'dev');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toMatch(/publish\s+warehouse\s+drifted/);
    expect((await cli('apply', repo, '--env', 'dev')).code).toBe(0);
    expect((await served.driver.observe()).integrations.map((i) => i.name)).toEqual(['warehouse']);
  });

  it('calls the controller back when an operator edits a connection by hand; the edit is drift too', async () => {
    const edited = await operator('PUT', '/v1/connections/warehouse', {
      system: 'openapi',
      authType: 'apiKey',
      parameters: { endpoint: warehouse.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
      secrets: { apiKey: { env: 'SOME_OTHER_KEY' } },
    });
    expect(edited).toEqual({ status: 200, body: { changed: 'connection/warehouse', callback: 'sent' } });
    expect(controller.enqueued.some).toEqual([{ environments: ['dev'], reason: 'environment callback' }]);
    const planned = await cli('plan', repo, '--env', 'dev', '-o', 'json');
    const actions = (JSON.parse(planned.stdout) as { plan: { actions: Array<{ type: string; reason: string }> } }).plan.actions;
    expect(actions).toEqual([expect.objectContaining({ type: 'UpsertConnection', reason: 'Drifted' })]);
  });

  it('refuses a plain secret in an edit by hand, changing nothing and calling nobody', async () => {
    const refused = await operator('PUT', '/v1/connections/warehouse', { system: 'openapi', authType: 'apiKey', parameters: {}, secrets: { apiKey: { plain: 'oops' } } });
    expect(refused.status).toBe(400);
    expect(controller.enqueued.some).toEqual([]);
    expect((await cli('plan', repo, '--env', 'dev')).code).toBe(0);
  });

  it('reports a callback the controller does not take, after its retries', async () => {
    const waits: number[] = [];
    const notify = driftCallback({ environment: 'dev', url: `${controller.url}/webhooks/generic`, token: 'a-wrong-token', sleep: async (ms) => void waits.push(ms) });
    expect(await notify('integration/x')).toBe('failed');
    expect(waits).toEqual([]); // a 401 is not retried: the token is wrong
    const unreachable = driftCallback({ environment: 'dev', url: 'http://127.0.0.1:1/webhooks/generic', sleep: async (ms) => void waits.push(ms) });
    expect(await unreachable('integration/x')).toBe('failed');
    expect(waits).toEqual([250, 500]);
    expect(await driftCallback({ environment: 'dev' })('integration/x')).toBe('none');
  });

  it('catches a change made around the API (in the database itself) at its next check, and tells the controller once', async () => {
    const watch = createDriftWatch({
      observe: () => served.store.observe(),
      notify: driftCallback({ environment: 'dev', url: `${controller.url}/webhooks/generic`, token: WEBHOOK_TOKEN }),
      intervalMs: 0,
    });
    expect(await watch.check()).toBe('unchanged');
    const raw = new Database((served.store as EmbeddedEnvironment).path);
    try {
      raw.prepare("UPDATE connections SET fingerprint = 'edited-by-hand' WHERE name = 'warehouse'").run();
    } finally {
      raw.close();
    }
    expect(driftOf(await served.store.observe())).toEqual(['connection/warehouse']);
    expect(await watch.check()).toBe('sent');
    expect(await watch.check()).toBe('unchanged');
    expect(controller.enqueued.some).toEqual([{ environments: ['dev'], reason: 'environment callback' }]);

    expect((await cli('apply', repo, '--env', 'dev')).code).toBe(0);
    expect(driftOf(await served.store.observe())).toEqual([]);
    expect(await watch.check()).toBe('unchanged');
    watch.stop();
  });
});
