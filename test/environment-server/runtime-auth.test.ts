import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import type { ActionRuntime } from '../../controller/action-runtime/action-runtime.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { runCli } from '../helpers/cli.ts';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from './support/manifest-repo.ts';
import { generateCatalog } from './support/publish.ts';
import { runtimeFor as sharedRuntimeFor } from './support/runtime-for.ts';
import { startWarehouse, WAREHOUSE_CLIENT, WAREHOUSE_KEY, type Warehouse } from './support/warehouse.ts';

const keyPair = generateKeyPair();
let catalog: ActionCatalog;

async function warehouseCatalog(warehouse: Warehouse): Promise<ActionCatalog> {
  const bytes = new Uint8Array(Buffer.from(await (await fetch(`${warehouse.url}/openapi.yaml`)).arrayBuffer()));
  return generateCatalog('warehouse', 'openapi', bytes, { entities: [{ name: 'items', operations: ['Get', 'Search'] }] });
}

/** A runtime over one integration and one connection, with a clock the test moves. */
function runtimeFor(connection: ConnectionRecord, clock: { t: number }, variables: Record<string, string> = {}): ActionRuntime {
  return sharedRuntimeFor(catalog, connection, keyPair, { now: () => clock.t, variables });
}

describe('runtime: OAuth 2.0 client credentials', () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await startWarehouse('oauth');
    catalog = await warehouseCatalog(warehouse);
  });
  afterAll(async () => warehouse.close());
  beforeEach(() => {
    warehouse.tokenRequests = 0;
    warehouse.tokens.clear();
    warehouse.requests.length = 0;
  });

  const oauth = (secret: string): ConnectionRecord => ({
    name: 'warehouse-oauth',
    system: 'openapi',
    authType: 'oauth2ClientCredentials',
    parameters: { endpoint: warehouse.url, clientId: WAREHOUSE_CLIENT.id, tokenUrl: `${warehouse.url}/oauth/token`, scopes: ['warehouse'] },
    secrets: { clientSecret: { sealed: sealSecret(keyPair.publicKey, secret) } },
    fingerprint: 'oauth-fp',
  });

  it('gets a token once, reuses it until shortly before it expires, then gets a new one', async () => {
    const clock = { t: Date.parse('2026-11-28T09:00:00Z') };
    const runtime = runtimeFor(oauth(WAREHOUSE_CLIENT.secret), clock);
    expect(await runtime.invoke('warehouse', 'GetItem', { itemId: 'i1' })).toMatchObject({ ok: true, output: { id: 'i1' } });
    expect(await runtime.invoke('warehouse', 'GetItem', { itemId: 'i2' })).toMatchObject({ ok: true, output: { id: 'i2' } });
    expect(warehouse.tokenRequests).toBe(1);
    clock.t += 3600_000 - 29_000; // within the last 30 s of the token's hour
    expect(await runtime.invoke('warehouse', 'GetItem', { itemId: 'i3' })).toMatchObject({ ok: true });
    expect(warehouse.tokenRequests).toBe(2);
  });

  it('renews a token the system stopped accepting, and tries the call once more', async () => {
    const runtime = runtimeFor(oauth(WAREHOUSE_CLIENT.secret), { t: Date.parse('2026-11-28T09:00:00Z') });
    expect(await runtime.invoke('warehouse', 'GetItem', { itemId: 'i1' })).toMatchObject({ ok: true });
    warehouse.tokens.clear(); // revoked early
    expect(await runtime.invoke('warehouse', 'GetItem', { itemId: 'i1' })).toMatchObject({ ok: true, output: { id: 'i1' } });
    expect(warehouse.tokenRequests).toBe(2);
  });

  it('shares one token request among calls made at once', async () => {
    const runtime = runtimeFor(oauth(WAREHOUSE_CLIENT.secret), { t: Date.parse('2026-11-28T09:00:00Z') });
    const results = await Promise.all(['i1', 'i2', 'i3', 'i4', 'i5'].map((itemId) => runtime.invoke('warehouse', 'GetItem', { itemId })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(warehouse.tokenRequests).toBe(1);
  });

  it('reports credentials the token endpoint refuses, without the secret', async () => {
    const secret = 'wrong-client-secret-123';
    const result = await runtimeFor(oauth(secret), { t: 0 }).invoke('warehouse', 'GetItem', { itemId: 'i1' });
    expect(result).toMatchObject({ ok: false, status: 502, body: { reason: 'AuthenticationFailed', upstream: { status: 401, code: 'invalid_client' } } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(warehouse.requests).toEqual([]);
  });
});

describe('runtime: secrets by reference, and intctl invoke over an embedded environment', () => {
  let warehouse: Warehouse;
  let work: string;
  beforeAll(async () => {
    warehouse = await startWarehouse('apiKey');
    catalog = await warehouseCatalog(warehouse);
    work = await mkdtemp(join(tmpdir(), 'intctl-invoke-'));
  });
  afterAll(async () => {
    await warehouse.close();
    await rm(work, { recursive: true, force: true });
  });

  const byVariable: () => ConnectionRecord = () => ({
    name: 'warehouse',
    system: 'openapi',
    authType: 'apiKey',
    parameters: { endpoint: warehouse.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
    secrets: { apiKey: { env: 'WAREHOUSE_KEY' } },
    fingerprint: 'fp',
  });

  it('reads an env secret from the server variables, and says which one is missing', async () => {
    expect(await runtimeFor(byVariable(), { t: 0 }, { WAREHOUSE_KEY }).invoke('warehouse', 'GetItem', { itemId: 'i1' })).toMatchObject({ ok: true });
    expect(await runtimeFor(byVariable(), { t: 0 }).invoke('warehouse', 'GetItem', { itemId: 'i1' })).toMatchObject({
      ok: false,
      status: 500,
      body: { reason: 'SecretUnavailable', message: 'connection warehouse: secret apiKey: variable WAREHOUSE_KEY is not set on the environment server' },
    });
  });

  it('intctl invoke runs an action of an embedded environment here, after intctl apply published it', async () => {
    const repo = join(work, 'repo');
    const state = join(work, 'state');
    process.env.INTCTL_TEST_WAREHOUSE_KEY = WAREHOUSE_KEY;
    try {
      await writeRepo(repo, {
        'specs/warehouse.yaml': await (await fetch(`${warehouse.url}/openapi.yaml`)).text(),
        'environments.yaml': [environmentManifest('local', { driver: 'embedded' })],
        'connections/warehouse.yaml': [
          connectionManifest('warehouse', {
            system: 'openapi',
            auth: { type: 'apiKey', apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
            environments: { local: { endpoint: warehouse.url, apiKey: { env: 'INTCTL_TEST_WAREHOUSE_KEY' } } },
          }),
        ],
        'integrations/warehouse.yaml': [
          integrationManifest('warehouse', { system: 'openapi', source: { path: 'specs/warehouse.yaml' }, entities: [{ name: 'items', operations: ['Get', 'Search', 'Count'] }], connection: 'warehouse', environments: ['local'] }),
        ],
      });
      const applied = await runCli(['apply', '--repo', repo, '--env', 'local', '--state-dir', state]);
      expect(applied.code, applied.stderr).toBe(0);
      const run = await runCli(['invoke', 'warehouse', 'CountItems', '--env', 'local', '--repo', repo, '--state-dir', state]);
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual({ count: warehouse.items.size });
      const missing = await runCli(['invoke', 'warehouse', 'GetItem', '--env', 'local', '--repo', repo, '--state-dir', state, '--input', '{"itemId":"nope"}']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`intctl: action failed: UpstreamNotFound: ${warehouse.url} answered 404 ItemNotFound: no item nope\n  the system answered 404 ItemNotFound: no item nope\n`);
      const bad = await runCli(['invoke', 'warehouse', 'GetItem', '--env', 'local', '--repo', repo, '--state-dir', state, '--input', '{nope']);
      expect(bad.code).toBe(64);
    } finally {
      delete process.env.INTCTL_TEST_WAREHOUSE_KEY;
    }
  });
});
