import { fastify } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createDashboardStore } from '../../controller/dashboard/dashboard-store.ts';
import { registerDashboard } from '../../controller/dashboard/register-dashboard.ts';
import type { ApiAccessOptions } from '../../controller/server/api-access.ts';

async function dashboard(access: ApiAccessOptions) {
  const app = fastify();
  const enqueued: string[] = [];
  await registerDashboard(app, {
    store: createDashboardStore(() => []),
    access,
    openDriver: async () => {
      throw new Error('no environment in this test');
    },
    history: async () => [],
    enqueue: (name) => {
      enqueued.push(name);
      return name === 'dev' ? { enqueued: [name], unknown: [] } : { enqueued: [], unknown: [name] };
    },
    enqueueAll: () => {
      enqueued.push('*');
      return ['Source/branch'];
    },
  });
  return { app, enqueued };
}

describe('who may read and change through the API', () => {
  it('with readAccess token, every read needs the token; the pages themselves hold no data and load', async () => {
    const { app } = await dashboard({ token: 'read-and-write', readAccess: 'token' });
    for (const url of ['/api/v1/overview', '/api/v1/matrix', '/api/v1/environments/dev', '/api/v1/integrations/crm', '/api/v1/events']) {
      const refused = await app.inject({ url });
      expect([url, refused.statusCode, refused.json()]).toEqual([url, 401, { error: 'Unauthorized', message: 'a valid API token is required (Authorization: Bearer <token>)' }]);
    }
    expect((await app.inject({ url: '/api/v1/overview', headers: { authorization: 'Bearer read-and-write' } })).json()).toEqual({ integrations: 0, environments: [] });
    expect((await app.inject({ url: '/environments/dev' })).statusCode).toBe(200);
  });

  it('without an API token configured, reading is public and nothing can be changed', async () => {
    const { app, enqueued } = await dashboard({ readAccess: 'public' });
    expect((await app.inject({ url: '/api/v1/overview' })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'POST', url: '/api/v1/environments/dev/reconcile', headers: { authorization: 'Bearer anything' } });
    expect([refused.statusCode, refused.json().message]).toEqual([403, 'changes through the API are off: no API token is configured (api.tokenFile, INTCTL_API_TOKEN_FILE)']);
    expect(enqueued).toEqual([]);
  });

  it('a cross-site change is refused before the token is looked at; a same-origin one with the token goes through', async () => {
    const { app, enqueued } = await dashboard({ token: 't0ken', readAccess: 'public' });
    const url = '/api/v1/environments/dev/reconcile';
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }, { origin: 'http://localhost:80' }]) {
      const refused = await app.inject({ method: 'POST', url, headers: { ...headers, authorization: 'Bearer t0ken', host: 'localhost' } });
      expect([headers, refused.statusCode]).toEqual([headers, 403]);
    }
    const ok = await app.inject({ method: 'POST', url, headers: { authorization: 'Bearer t0ken', host: 'localhost:8080', origin: 'http://localhost:8080', 'sec-fetch-site': 'same-origin' } });
    expect([ok.statusCode, ok.json()]).toEqual([202, { result: 'accepted', enqueued: ['dev'] }]);
    expect(enqueued).toEqual(['dev']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/reconcile', headers: { 'sec-fetch-site': 'cross-site', authorization: 'Bearer t0ken' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/v1/reconcile' })).statusCode).toBe(401);
    const source = await app.inject({ method: 'POST', url: '/api/v1/reconcile', headers: { authorization: 'Bearer t0ken' } });
    expect([source.statusCode, source.json()]).toEqual([202, { result: 'accepted', enqueued: ['Source/branch'] }]);
    expect(enqueued).toEqual(['dev', '*']);
  });

  it('serves the pages offline, under a policy that allows no inline script, and the vendored libraries with their imports resolved', async () => {
    const { app } = await dashboard({ readAccess: 'public' });
    for (const url of ['/', '/matrix', '/environments/prod', '/integrations/crm']) {
      const page = await app.inject({ url });
      expect([url, page.statusCode, page.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).not.toMatch(/https?:\/\//);
    }
    const hooks = await app.inject({ url: '/ui/vendor/preact-hooks.mjs' });
    expect([hooks.statusCode, hooks.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(hooks.body).toContain('from"./preact.mjs"');
    expect(hooks.body).not.toMatch(/from\s*["']preact["']/);
    expect((await app.inject({ url: '/ui/../../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/ui/nothing.js' })).statusCode).toBe(404);
  });
});
