import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import { fetchOdataMetadata, metadataUrl } from '../../controller/cli/introspect/fetch-odata-metadata.ts';
import { INTROSPECTORS } from '../../controller/cli/introspect/introspectors.ts';

const METADATA = '<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"/>';
const KEY = 'k3y-for-the-metadata';

let server: Server;
let root: string;
const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url!, headers: request.headers });
    if (request.url!.startsWith('/moved')) return void response.writeHead(302, { location: 'http://127.0.0.2:1/$metadata' }).end();
    if (request.headers['x-api-key'] !== KEY) return void response.writeHead(401).end();
    response.writeHead(200, { 'content-type': 'application/xml' }).end(METADATA);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sap/opu/odata/sap/API_SALES_ORDER_SRV/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function connection(endpoint: string): ConnectionRecord {
  return { name: 'orders', system: 'odata', authType: 'apiKey', parameters: { endpoint, apiKeyName: 'X-API-Key', parameters: { 'sap-client': '200' } }, secrets: {}, fingerprint: '' };
}

describe('fetchOdataMetadata', () => {
  it.each([
    ['https://host/odata/v4/catalog', 'https://host/odata/v4/catalog/$metadata'],
    ['https://host/odata/v4/catalog/', 'https://host/odata/v4/catalog/$metadata'],
    ['https://host/', 'https://host/$metadata'],
  ])('reads %s at %s', (endpoint, url) => {
    expect(metadataUrl(endpoint)).toBe(url);
  });

  it("sends the connection's credentials and fixed parameters to its $metadata, and prints the address without its query", async () => {
    seen.length = 0;
    const read = await fetchOdataMetadata({ connection: connection(root), secrets: { apiKey: KEY } });
    expect(read).toEqual({ ok: true, from: `${root}$metadata`, bytes: new Uint8Array(Buffer.from(METADATA)) });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/sap/opu/odata/sap/API_SALES_ORDER_SRV/$metadata?sap-client=200');
    expect(seen[0]!.headers).toMatchObject({ 'x-api-key': KEY, accept: 'application/xml' });
  });

  it('a refused key is a failure naming the connection, without the key', async () => {
    const read = await fetchOdataMetadata({ connection: connection(root), secrets: { apiKey: 'wrong-key-value' } });
    expect(read).toEqual({ ok: false, message: `${root}$metadata answered 401: connection orders (apiKey) was refused; check its credentials for this environment` });
  });

  it('does not follow a redirect, which would carry the credentials elsewhere', async () => {
    seen.length = 0;
    const read = await fetchOdataMetadata({ connection: connection(root), secrets: { apiKey: KEY }, url: new URL('/moved/$metadata', root).toString() });
    expect(read.ok).toBe(false);
    expect(!read.ok && read.message).toMatch(/\/moved\/\$metadata answered 302, a redirect; it is not followed with the connection's credentials/);
    expect(seen).toHaveLength(1);
  });
});

describe('the odata introspector', () => {
  const odata = INTROSPECTORS.odata!;

  it('lists the entity sets of a metadata document the generator reads', async () => {
    expect(await odata.check(await readFile(join(import.meta.dirname, 'fixtures', 'bookshop-catalog.edmx')), { path: 'specs/catalog.edmx' })).toEqual({ ok: true, items: ['Books'] });
  });

  it('refuses XML that is not a metadata document, saying why', async () => {
    const checked = await odata.check(new TextEncoder().encode('<?xml version="1.0"?><html><body>Sign in</body></html>'), { path: 'specs/catalog.edmx' });
    expect(checked).toEqual({ ok: false, message: 'the root element must be edmx:Edmx (an OData metadata document)' });
  });
});
