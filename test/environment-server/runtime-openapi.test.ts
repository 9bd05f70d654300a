import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { generateCatalog, publishWith } from './support/publish.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from './support/serve-environment.ts';
import { startWarehouse, WAREHOUSE_KEY, WAREHOUSE_SPEC, type Warehouse } from './support/warehouse.ts';

let warehouse: Warehouse;
let served: ServedEnvironment;
let connection: ConnectionRecord;

/** Calls an action through the environment server, as an application does. */
async function invoke(action: string, input: unknown, token = TOKENS.applications[0]!): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${served.url}/v1/integrations/warehouse/actions/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

beforeAll(async () => {
  warehouse = await startWarehouse('apiKey');
  served = await serveEnvironment();
  // The integration is generated from the description the service itself serves.
  const specBytes = new Uint8Array(Buffer.from(await (await fetch(`${warehouse.url}/openapi.yaml`)).arrayBuffer()));
  expect(Buffer.from(specBytes).toString('utf8')).toBe(await readFile(WAREHOUSE_SPEC, 'utf8'));
  const catalog = await generateCatalog('warehouse', 'openapi', specBytes, { entities: [{ name: 'items', operations: ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'] }] });
  connection = {
    name: 'warehouse',
    system: 'openapi',
    authType: 'apiKey',
    parameters: { endpoint: warehouse.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
    secrets: { apiKey: { sealed: sealSecret(await served.driver.publicKey(), WAREHOUSE_KEY) } },
    fingerprint: 'warehouse-fp',
  };
  await publishWith(served.driver, catalog, connection);
});
afterAll(async () => {
  await served?.close();
  await warehouse?.close();
});
beforeEach(() => {
  warehouse.requests.length = 0;
});

describe('runtime over an OpenAPI-described service', () => {
  it('Get answers the item the service has', async () => {
    expect(await invoke('GetItem', { itemId: 'i3' })).toMatchObject({ status: 200, body: { output: { id: 'i3', name: 'washer', quantity: 75, location: 'B2' }, pages: 1 } });
    expect(warehouse.requests).toEqual(['GET /items/i3']);
  });

  it('Search follows the next links until every item is read, with the total', async () => {
    const answer = await invoke('SearchItems', {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ output: { items: [...warehouse.items.values()], count: warehouse.items.size }, pages: 3 });
    expect(warehouse.requests).toEqual(['GET /items', 'GET /items?skip=2', 'GET /items?skip=4']);
  });

  it('Search stops at top, and sends basic filters and ordering as the service takes them', async () => {
    const answer = await invoke('SearchItems', { filters: [{ attribute: 'location', operator: 'eq', value: 'A1' }], orderBy: [{ attribute: 'name', direction: 'desc' }], top: 1 });
    expect(answer.body).toEqual({ output: { items: [warehouse.items.get('i2')], count: 2 }, pages: 1 });
    expect(warehouse.requests).toEqual(['GET /items?location=A1&orderBy=-name&top=1']);
    const three = await invoke('SearchItems', { top: 3 });
    expect((three.body.output as { items: unknown[] }).items).toEqual([...warehouse.items.values()].slice(0, 3));
    expect(three.body.pages).toBe(2);
  });

  it('Count answers the count the service gives', async () => {
    expect((await invoke('CountItems', { filters: [{ attribute: 'location', operator: 'eq', value: 'B2' }] })).body).toEqual({ output: { count: 2 }, pages: 1 });
  });

  it('Create, Update and Delete change the service, and answer what it answered', async () => {
    const created = await invoke('CreateItem', { record: { name: 'spring', quantity: 9, location: 'C3' } });
    expect(created.status).toBe(200);
    const output = created.body.output as { id: string };
    expect(warehouse.items.get(output.id)).toEqual({ id: output.id, name: 'spring', quantity: 9, location: 'C3' });
    const updated = await invoke('UpdateItem', { itemId: output.id, record: { name: 'spring', quantity: 10 } });
    expect(updated.body.output).toEqual({ id: output.id, name: 'spring', quantity: 10, location: 'C3' });
    expect(await invoke('DeleteItem', { itemId: output.id })).toMatchObject({ status: 200, body: { output: {} } });
    expect(warehouse.items.has(output.id)).toBe(false);
  });

  it("maps the service's errors to a clear error body with its status, code and message", async () => {
    expect(await invoke('GetItem', { itemId: 'i404' })).toMatchObject({
      status: 404,
      body: { error: 'ActionFailed', reason: 'UpstreamNotFound', upstream: { status: 404, code: 'ItemNotFound', message: 'no item i404' } },
    });
    expect(await invoke('CreateItem', { record: { name: 'duplicate', quantity: 1 } })).toMatchObject({
      status: 409,
      body: { reason: 'UpstreamConflict', upstream: { status: 409, code: 'Duplicate', message: 'an item of that name exists' } },
    });
  });

  it('refuses input that does not match the action schema without calling the service', async () => {
    const answer = await invoke('CreateItem', { record: { name: 'spring', quantity: -1, colour: 'red' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ reason: 'InputInvalid' });
    expect(answer.body.details).toEqual(expect.arrayContaining([{ path: '/record/quantity', message: 'must be >= 0' }]));
    expect((await invoke('GetItem', {})).body).toMatchObject({ reason: 'InputInvalid', details: [{ path: '/', message: "must have required property 'itemId'" }] });
    expect((await invoke('NoSuchAction', {})).body).toMatchObject({ reason: 'ActionNotFound' });
    expect(warehouse.requests).toEqual([]);
  });

  it('refuses an answer that does not match the output schema', async () => {
    warehouse.corrupt = true;
    try {
      const answer = await invoke('GetItem', { itemId: 'i1' });
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ reason: 'OutputInvalid', details: [{ path: '/quantity', message: 'must be integer' }] });
    } finally {
      warehouse.corrupt = false;
    }
  });

  it('never lets the opened key out, even when the service echoes a wrong one', async () => {
    const wrong = 'wh-key-wrong-0000';
    const edited = await fetch(`${served.url}/v1/connections/warehouse`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKENS.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ system: 'openapi', authType: 'apiKey', parameters: connection.parameters, secrets: { apiKey: { sealed: sealSecret(await served.driver.publicKey(), wrong) } } }),
    });
    expect(edited.status).toBe(200);
    try {
      const answer = await invoke('GetItem', { itemId: 'i1' });
      expect(answer).toMatchObject({ status: 502, body: { reason: 'UpstreamUnauthorized', upstream: { status: 401, code: 'InvalidKey', message: 'the key [redacted] is not valid' } } });
      expect(answer.text).not.toContain(wrong);
      expect(served.logs.text()).not.toContain(wrong);
      expect(served.logs.text()).not.toContain(WAREHOUSE_KEY);
    } finally {
      const lease = (await served.driver.acquireLease('test-controller', 30_000))!;
      const head = (await served.driver.observe()).logHead;
      await served.driver.apply({ id: `restore@r${head}`, type: 'UpsertConnection', connection, reason: 'Drifted' }, { lease, commit: 'e'.repeat(40), plan: { head, id: `r${head}` } });
      await served.driver.releaseLease(lease);
    }
    expect((await invoke('GetItem', { itemId: 'i1' })).status).toBe(200);
  });
});
