import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_SPEC_PATH, apiOperations } from '../../controller/environment-server/api-spec.ts';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import type { Lease } from '../../controller/environments/driver.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { connection, integration, PLAN, publish, upsert } from '../environments/support/plan-fixtures.ts';
import { postgresStores } from './support/postgres.ts';
import { serveEnvironment, sharedEnvironmentServer, sqliteStores, TOKENS, type ServedEnvironment, type StoreFactory } from './support/serve-environment.ts';

const COMMIT = 'c'.repeat(40);
const SECRET = 'the-api-key-that-must-never-leave';

/** A raw request to the server: status and parsed body. */
async function call(served: ServedEnvironment, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${served.url}${path}`, {
    method,
    headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), text };
}

/** Every operation of the Environment API, with its path filled in. */
const operations = [...apiOperations().values()].map((op) => ({
  ...op,
  url: op.path.replace('{integration}', 'accounts').replace('{connection}', 'crm').replace('{action}', 'GetAccount'),
}));

describe('the Environment API document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = (await SwaggerParser.validate(API_SPEC_PATH)) as { openapi: string };
    expect(document.openapi).toBe('3.1.0');
  });

  it('has a route on the server for every operation, and nothing else answers', async () => {
    const served = await serveEnvironment();
    try {
      for (const op of operations) expect(served.app.hasRoute({ method: op.method as 'GET', url: op.route }), `${op.method} ${op.path}`).toBe(true);
      expect((await call(served, 'GET', '/v1/secrets', TOKENS.controller)).status).toBe(404);
    } finally {
      await served.close();
    }
  });
});

// The server's own suite, the same over both stores: each test a fresh store, each group of tests one server.
const STORES: Array<{ kind: 'sqlite' | 'postgresql'; stores: StoreFactory }> = [
  { kind: 'sqlite', stores: sqliteStores },
  { kind: 'postgresql', stores: postgresStores },
];

describe.each(STORES)('environment server over $kind', ({ kind, stores }) => {
  describe('environment server: who may call what', () => {
    const server = sharedEnvironmentServer({ stores });
    let served: ServedEnvironment;
    beforeEach(async () => {
      served = await server.open();
    });
    afterEach(async () => served.close());
    afterAll(async () => server.close());

    const guarded = operations.filter((op) => op.security.length > 0);
    const callers = { controller: TOKENS.controller, application: TOKENS.applications[1]!, operator: TOKENS.operator! };
    const scheme = { controller: 'controllerToken', application: 'applicationToken', operator: 'operatorToken' } as const;

    it.each(guarded)('$operationId: refuses a request without a token, or with a wrong one, before reading its body', async (op) => {
      for (const token of [undefined, 'not-a-token', `${TOKENS.controller}x`, '']) {
        const answer = await call(served, op.method, op.url, token, op.method === 'GET' ? undefined : { not: 'valid' });
        expect(answer.status, `token ${JSON.stringify(token)}`).toBe(401);
        expect(answer.body).toEqual({ error: 'Unauthorized', message: 'a valid bearer token is required' });
      }
    });

    it.each(guarded)('$operationId: refuses the token of a caller its security does not name', async (op) => {
      const refused = (Object.keys(callers) as Array<keyof typeof callers>).filter((c) => !op.security.includes(scheme[c]));
      for (const caller of refused) {
        const answer = await call(served, op.method, op.url, callers[caller], op.method === 'GET' ? undefined : {});
        expect(answer.status, caller).toBe(403);
        expect(answer.body).toMatchObject({ error: 'Forbidden' });
      }
    });

    it('lets an application read what is published and nothing of the controller', async () => {
      const lease = (await served.driver.acquireLease('controller-a', 30_000))!;
      await served.driver.apply(publish(integration('accounts')), { lease, commit: COMMIT, plan: PLAN });
      const app = TOKENS.applications[0]!;
      const list = await call(served, 'GET', '/v1/integrations', app);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({
        integrations: [expect.objectContaining({ name: 'accounts', artifactHash: integration('accounts').artifactHash, actions: [] })],
      });
      expect((await call(served, 'GET', '/v1/integrations/accounts', app)).body).toMatchObject({ name: 'accounts', catalog: integration('accounts').catalog });
      expect((await call(served, 'GET', '/v1/integrations/orders', app)).status).toBe(404);
      expect((await call(served, 'GET', '/v1/environment', app)).body).toEqual({ name: 'dev', publicKey: await served.driver.publicKey(), store: kind, apiVersion: 'v1' });
      for (const [method, path] of [['GET', '/v1/state'], ['GET', '/v1/environment/fingerprint-key'], ['GET', '/v1/actions'], ['GET', '/v1/connections']]) {
        expect((await call(served, method!, path!, app)).status, path).toBe(403);
      }
      const stolen = await call(served, 'POST', '/v1/lease', app, { holder: 'app', ttlMs: 1000 });
      expect(stolen.status).toBe(403);
    });
  });

  describe('environment server: leases and fencing tokens over HTTP', () => {
    const server = sharedEnvironmentServer({ stores });
    let served: ServedEnvironment;
    beforeEach(async () => {
      served = await server.open();
    });
    afterEach(async () => served.close());
    afterAll(async () => server.close());

    it('refuses an apply with a stale fencing token (409 LeaseLost) and changes nothing', async () => {
      const c = TOKENS.controller;
      const first = (await call(served, 'POST', '/v1/lease', c, { holder: 'controller-a', ttlMs: 10_000 })).body as Lease;
      expect((await call(served, 'POST', '/v1/lease', c, { holder: 'controller-b', ttlMs: 10_000 })).body).toMatchObject({ error: 'LeaseHeld' });
      served.clock.advance(10_001);
      const second = (await call(served, 'POST', '/v1/lease', c, { holder: 'controller-b', ttlMs: 10_000 })).body as Lease;
      expect(second.token).toBe(first.token + 1);

      const stale = await call(served, 'POST', '/v1/actions', c, { action: publish(integration('accounts')), context: { lease: first, commit: COMMIT, plan: PLAN } });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ error: 'LeaseLost' });
      expect((await call(served, 'POST', '/v1/lease/renew', c, { lease: first, ttlMs: 10_000 })).status).toBe(409);
      expect((await served.driver.observe()).integrations).toEqual([]);
      expect(await served.driver.actionLog()).toEqual([]);

      const current = await call(served, 'POST', '/v1/actions', c, { action: publish(integration('accounts')), context: { lease: second, commit: COMMIT, plan: PLAN } });
      expect(current).toMatchObject({ status: 200, body: { outcome: 'applied' } });
      expect((await served.driver.actionLog()).map((e) => e.leaseToken)).toEqual([second.token]);
    });

    it('refuses a body that does not match the API (unknown fields are not dropped, types are not coerced)', async () => {
      const c = TOKENS.controller;
      expect((await call(served, 'POST', '/v1/lease', c, { holder: 'a', ttlMs: '1000' })).status).toBe(400);
      expect((await call(served, 'POST', '/v1/lease', c, { holder: 'a', ttlMs: 1000, forever: true })).status).toBe(400);
      expect((await call(served, 'POST', '/v1/lease', c, { holder: '', ttlMs: 1000 })).status).toBe(400);
      expect(await served.driver.acquireLease('a', 1000)).toMatchObject({ token: 1 });
    });
  });

  describe('environment server: a secret never leaves it', () => {
    const server = sharedEnvironmentServer({ stores });
    let served: ServedEnvironment;
    beforeEach(async () => {
      served = await server.open();
    });
    afterEach(async () => served.close());
    afterAll(async () => server.close());

    it('shows connections with sealed values, references and fingerprints only, on every route and in the log', async () => {
      const sealed = sealSecret(await served.driver.publicKey(), SECRET);
      const record: ConnectionRecord = connection('crm', { apiKey: { sealed }, password: { env: 'CRM_PASSWORD' } });
      const lease = (await served.driver.acquireLease('controller-a', 30_000))!;
      await served.driver.apply(upsert(record), { lease, commit: COMMIT, plan: PLAN });
      // A plain secret is refused, and the refusal does not repeat it.
      const plain = await call(served, 'POST', '/v1/actions', TOKENS.controller, {
        action: upsert(connection('erp', { apiKey: { plain: SECRET } as never })),
        context: { lease, commit: COMMIT, plan: PLAN },
      });
      expect(plain).toMatchObject({ status: 422, body: { error: 'ActionRefused', reason: 'PlainSecretRefused' } });

      const seen: string[] = [plain.text];
      for (const op of operations.filter((o) => o.method === 'GET')) {
        for (const token of [TOKENS.controller, TOKENS.applications[0]!, TOKENS.operator!]) seen.push((await call(served, 'GET', op.url, token)).text);
      }
      expect((await call(served, 'GET', '/v1/connections', TOKENS.controller)).body).toEqual({
        connections: [{ ...record, secrets: { apiKey: 'sealed', password: 'env' } }],
      });
      expect((await served.driver.observe()).connections).toEqual([record]);
      for (const text of [...seen, served.logs.text()]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(TOKENS.controller);
      }
    });

    it('answers 500 rather than send a response the API does not allow (a store that would leak a plain secret)', async () => {
      const observe = served.store.observe.bind(served.store);
      served.store.observe = async () => {
        const state = await observe();
        return { ...state, connections: [connection('crm', { apiKey: { plain: SECRET } as never })] };
      };
      const answer = await call(served, 'GET', '/v1/state', TOKENS.controller);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ error: 'InternalError', message: 'the environment server failed; see its log' });
      expect(answer.text).not.toContain(SECRET);
      expect(served.logs.text()).not.toContain(SECRET);
    });
  });
});
