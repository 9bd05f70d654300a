import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import type { IntegrationSpec } from '../../controller/generated/manifests.ts';
import { CRM_SPEC } from '../support/crm.ts';
import { generateCatalog, publishWith } from './support/publish.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from './support/serve-environment.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** Whole records, as the CRM answers them: more fields than the examples select, and one its description does not name yet. */
const CUSTOMER = {
  id: '8f14e45f-ceea-4e7a-9d7a-5b2e1c3f0a11', number: 'C-000123', name: 'Northwind', type: 'company', status: 'active',
  shippingAddress: { line1: '1 Main St', city: 'Oslo', country: 'NO' }, employeeCount: 40, etag: 'W/"1"', loyaltyTier: 'gold',
};
const CONTACT = { id: '1c3f0a11-ceea-4e7a-9d7a-5b2e8f14e45f', customerId: CUSTOMER.id, lastName: 'Berg', email: 'a@b.no', mobile: '+47', preferredChannel: 'email', pronouns: 'she' };
const OPPORTUNITY = { id: '5b2e8f14-ceea-4e7a-9d7a-1c3f0a11e45f', customerId: CUSTOMER.id, name: 'Renewal', stage: 'proposal', amount: { amount: 10, currency: 'EUR' }, source: 'inbound', etag: 'W/"2"', forecastCategory: 'commit' };

/** What the upstream answers, by method and path. */
const ROUTES: Record<string, { type: string; body: string }> = {
  [`GET /customers/${CUSTOMER.id}`]: { type: 'application/json', body: JSON.stringify(CUSTOMER) },
  'GET /customers': { type: 'application/json', body: JSON.stringify({ items: [CUSTOMER], page: { skip: 0, top: 10 } }) },
  [`GET /contacts/${CONTACT.id}`]: { type: 'application/json', body: JSON.stringify(CONTACT) },
  [`GET /opportunities/${OPPORTUNITY.id}`]: { type: 'application/json', body: JSON.stringify(OPPORTUNITY) },
  'GET /status': { type: 'application/json', body: JSON.stringify({ healthy: true, checks: [{ name: 'db', ok: true }] }) },
  'POST /echo': { type: 'text/plain', body: 'pong' },
};

/** A description whose success responses have a media type and no schema. */
const UNDESCRIBED = JSON.stringify({
  openapi: '3.0.3',
  info: { title: 'undescribed', version: '1' },
  paths: {
    '/status': { get: { operationId: 'getStatus', responses: { 200: { description: 'ok', content: { 'application/json': {} } } } } },
    '/echo': { post: { operationId: 'echo', responses: { 200: { description: 'ok', content: { 'text/plain': {} } } } } },
  },
});

let upstream: Server;
let served: ServedEnvironment;

async function invoke(integration: string, action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${served.url}/v1/integrations/${integration}/actions/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.applications[0]!}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  upstream = createServer((request, response) => {
    const route = ROUTES[`${request.method} ${new URL(request.url!, 'http://x').pathname}`];
    response.writeHead(route ? 200 : 404, { 'content-type': route?.type ?? 'application/json' });
    response.end(route?.body ?? '{"code":"NotFound","message":"no such route"}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  served = await serveEnvironment();
  const connection = (name: string): ConnectionRecord => ({ name, system: 'openapi', authType: 'none', parameters: { endpoint }, secrets: {}, fingerprint: `${name}-fp` });

  // The examples/ repository's crm integration, with its attribute selections for all three entities.
  const manifest = parseYaml(await readFile(join(EXAMPLES, 'integrations', 'crm.yaml'), 'utf8')) as { spec: IntegrationSpec };
  const crm = await generateCatalog('crm', 'openapi', await readFile(CRM_SPEC), { entities: manifest.spec.entities!, functions: [] });
  await publishWith(served.driver, crm, connection('crm'));
  await publishWith(served.driver, await generateCatalog('undescribed', 'openapi', new TextEncoder().encode(UNDESCRIBED), {}), connection('undescribed'));
});
afterAll(async () => {
  await served?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('reads through a selection of attributes', () => {
  it.each([
    ['GetCustomer', { customerId: CUSTOMER.id }, { id: CUSTOMER.id, number: 'C-000123', name: 'Northwind', type: 'company', status: 'active' }],
    ['GetContact', { contactId: CONTACT.id }, { id: CONTACT.id, customerId: CUSTOMER.id, lastName: 'Berg', email: 'a@b.no' }],
    ['GetOpportunity', { opportunityId: OPPORTUNITY.id }, { id: OPPORTUNITY.id, customerId: CUSTOMER.id, name: 'Renewal', stage: 'proposal', amount: { amount: 10, currency: 'EUR' } }],
  ])('%s answers the selected fields only, whatever else the service sends', async (action, input, output) => {
    expect(await invoke('crm', action, input)).toEqual({ status: 200, body: { output, pages: 1 } });
  });

  it('Search keeps the selected fields of every item', async () => {
    const answer = await invoke('crm', 'SearchCustomers', {});
    expect(answer).toMatchObject({ status: 200, body: { output: { items: [{ id: CUSTOMER.id, number: 'C-000123', name: 'Northwind', type: 'company', status: 'active' }] } } });
  });
});

describe('a response with a media type and no schema', () => {
  it.each([
    ['GetStatus', { healthy: true, checks: [{ name: 'db', ok: true }] }],
    ['Echo', 'pong'],
  ])('%s returns the body it received', async (action, output) => {
    expect(await invoke('undescribed', action, {})).toEqual({ status: 200, body: { output, pages: 1 } });
  });
});
