import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/time.ts';
import { API_TOKEN, startDemoDashboard, type DemoDashboardWorld } from './support/demo-dashboard.ts';

let world: DemoDashboardWorld;
beforeAll(async () => {
  world = await startDemoDashboard();
});
afterAll(async () => {
  await world?.close();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${world.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
}

async function post(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${world.url}${path}`, { method: 'POST', headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The demo's plain-text secrets of dev: no answer of the API may hold one. */
const SECRETS = ['dev-only-not-a-real-key', 'dev-only-client-secret', 'dev-only-db-password', API_TOKEN];

describe("the controller's API over the demo's environments", () => {
  it('overview: the environments in promotion order, their conditions and counts', async () => {
    const { status, body } = await get('/api/v1/overview');
    expect(status).toBe(200);
    const environments = body.environments as Array<{ name: string; conditions: Array<{ type: string; reason: string }>; counts: Record<string, number>; observedCommit: string }>;
    expect(environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
    expect(body.integrations).toBe(5);
    expect(environments.map((e) => e.conditions.find((c) => c.type === 'Ready')?.reason)).toEqual(['ReconciliationSucceeded', 'ReconciliationSucceeded', 'AwaitingApproval']);
    expect(environments[0]!.counts).toMatchObject({ inStep: 5, failing: 0, drifted: 0 });
    expect(environments[2]!.counts).toMatchObject({ inStep: 0, pending: 3, notTargeted: 2 });
    expect(environments.every((e) => e.observedCommit === body.head)).toBe(true);
  });

  it('matrix: pages, searches and filters by label, system and state', async () => {
    const all = await get('/api/v1/matrix');
    expect((all.body.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(['crm', 'dataverse-accounts', 'order-history', 'product-catalog', 'sales-orders']);
    const paged = await get('/api/v1/matrix?pageSize=2&page=3');
    expect([paged.body.total, paged.body.page, (paged.body.rows as Array<{ name: string }>).map((r) => r.name)]).toEqual([5, 3, ['sales-orders']]);
    expect(((await get('/api/v1/matrix?q=ORDERS')).body.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(['sales-orders']);
    expect(((await get('/api/v1/matrix?system=odata')).body.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(['dataverse-accounts', 'sales-orders']);
    expect(((await get('/api/v1/matrix?label=team%3Dcustomer-experience')).body.rows as Array<{ name: string }>).map((r) => r.name)).toEqual(['crm']);
    expect((await get('/api/v1/matrix?status=failing')).body.total).toBe(0);
    const crm = (all.body.rows as Array<{ name: string; cells: Record<string, { state: string; version?: string }> }>)[0]!;
    expect([crm.cells.dev!.state, crm.cells.test!.state, crm.cells.prod!.state]).toEqual(['inStep', 'inStep', 'pending']);
    expect(crm.cells.dev!.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('environment: the pending plan, the gate and approvals, and the status commits', async () => {
    const { status, body } = await get('/api/v1/environments/prod');
    expect(status).toBe(200);
    const plan = body.plan as { state: string; actions: Array<{ verb: string; target: string }>; text: string };
    expect(plan.state).toBe('pending');
    expect(plan.actions.filter((a) => a.verb === 'publish').map((a) => a.target).sort()).toEqual(['crm', 'order-history', 'sales-orders']);
    expect(plan.text).toMatch(/^Plan for environment prod at [0-9a-f]{7}: \d+ actions/);
    expect(body.gate).toMatchObject({ allowed: false, reason: 'AwaitingApproval' });
    expect(body.approvals).toEqual({ required: 2, given: [] });
    const history = body.history as Array<{ message: string }>;
    expect(history[0]!.message).toMatch(/^intctl: prod NotReady \(AwaitingApproval\) at [0-9a-f]{7}$/);
  });

  it('integration: where it stands, the auth type per environment, its actions and declarations, and the interface diff', async () => {
    const { body } = await get('/api/v1/integrations/crm');
    expect((body.environments as Array<{ name: string; authType: string; cell: { state: string } }>).map((e) => [e.name, e.authType, e.cell.state])).toEqual([
      ['dev', 'apiKey', 'inStep'],
      ['test', 'apiKey', 'inStep'],
      ['prod', 'apiKey', 'pending'],
    ]);
    expect((body.actions as Array<{ name: string }>).map((a) => a.name)).toContain('GetCustomer');
    expect(body.declarations).toContain('export interface Actions');
    expect(body.manifest).toContain('kind: Integration');
    const diff = await get('/api/v1/integrations/crm/diff?from=dev&to=prod');
    expect(diff.body.published).toEqual({ from: true, to: false });
    expect((diff.body.changes as Array<{ kind: string; subject: string }>).some((c) => c.kind === 'ActionAdded' && c.subject === 'GetCustomer')).toBe(true);
    expect((await get('/api/v1/integrations/crm/diff?from=dev&to=test')).body.changes).toEqual([]);
  });

  it('says clearly what it does not know, and refuses what the document does not allow', async () => {
    expect(await get('/api/v1/environments/staging')).toMatchObject({ status: 404, body: { error: 'Not Found', message: 'no environment named staging' } });
    expect(await get('/api/v1/integrations/nope')).toMatchObject({ status: 404, body: { message: 'no integration named nope' } });
    expect(await get('/api/v1/integrations/crm/diff?from=dev&to=staging')).toMatchObject({ status: 404, body: { message: 'no environment named staging' } });
    expect((await get('/api/v1/integrations/crm/diff?from=dev')).status).toBe(400);
    expect((await get('/api/v1/environments/Not_A_Name')).status).toBe(400);
    expect((await get('/api/v1/matrix?status=bogus')).status).toBe(400);
    expect((await get('/api/v1/matrix?pageSize=0')).status).toBe(400);
  });

  it('never answers a secret', async () => {
    const paths = ['/api/v1/overview', '/api/v1/matrix', '/api/v1/status', ...['dev', 'test', 'prod'].map((e) => `/api/v1/environments/${e}`)];
    for (const name of ['crm', 'dataverse-accounts', 'order-history', 'product-catalog', 'sales-orders']) paths.push(`/api/v1/integrations/${name}`, `/api/v1/integrations/${name}?environment=dev`);
    for (const path of paths) {
      const { status, text } = await get(path);
      expect(status, path).toBe(200);
      for (const secret of SECRETS) expect(text, path).not.toContain(secret);
    }
  });
});

describe('reconcile now', () => {
  const path = '/api/v1/environments/dev/reconcile';

  it('is refused without the token, with a wrong one, and from another site even with the right one', async () => {
    expect(await post(path)).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    expect(await post(path, { authorization: 'Bearer not-the-token' })).toMatchObject({ status: 401 });
    expect(await post(path, { authorization: `Bearer ${API_TOKEN}`, 'sec-fetch-site': 'cross-site' })).toMatchObject({ status: 403, body: { message: 'cross-site requests may not change anything (Sec-Fetch-Site is cross-site)' } });
    expect(await post(path, { authorization: `Bearer ${API_TOKEN}`, origin: 'https://evil.example' })).toMatchObject({ status: 403 });
    expect(await post('/api/v1/environments/staging/reconcile', { authorization: `Bearer ${API_TOKEN}` })).toMatchObject({ status: 404 });
    const refusals = world.logs.lines().filter((l) => /^API change refused/.test(l.msg));
    expect(refusals.length).toBe(4);
    expect(world.logs.text()).not.toContain(API_TOKEN);
  });

  it('with the token, queues the environment, and the event stream tells when its status changed', async () => {
    const seen: string[] = [];
    const stream = request(`${world.url}/api/v1/events`);
    const opened = new Promise<void>((resolve, reject) => {
      stream.on('response', (response) => {
        expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => seen.push(chunk));
        resolve();
      });
      stream.on('error', reject);
    });
    stream.end();
    await opened;
    const before = world.running.controller.statuses().find((s) => s.environment === 'dev')!.lastReconcileTime;
    expect(await post(path, { authorization: `Bearer ${API_TOKEN}`, 'sec-fetch-site': 'same-origin', origin: world.url })).toEqual({ status: 202, body: { result: 'accepted', enqueued: ['dev'] } });
    await until('dev to be reconciled again', () => world.running.controller.statuses().find((s) => s.environment === 'dev')!.lastReconcileTime !== before);
    expect(world.logs.lines().some((l) => l.msg === 'reconcile now, asked through the API' && l.environment === 'dev')).toBe(true);
    stream.destroy();
    expect(seen.join('')).toMatch(/^: connected\n\n/);
  });
});
