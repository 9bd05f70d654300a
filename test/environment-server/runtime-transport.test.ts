import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRuntime } from '../../controller/action-runtime/action-runtime.ts';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { deadline } from '../support/time.ts';
import { runtimeFor, warehouseCatalog } from './support/runtime-for.ts';

/*
 * How the runtime reaches a system by default (no fetch given): a keep-alive pool per origin,
 * compressed answers asked for and decoded, redirects answered and not followed, a silent system
 * a timeout and a closed port unreachable. A real HTTP server stands in for the system.
 */

const ITEM = { id: 'i1', name: 'bolt', quantity: 120, location: 'A1' };
let catalog: ActionCatalog;
const open: { runtime?: ActionRuntime; server?: Server } = {};

beforeAll(async () => {
  catalog = await warehouseCatalog();
});
afterEach(async () => {
  await open.runtime?.close?.();
  if (open.server) {
    open.server.closeAllConnections();
    await new Promise((resolve) => open.server!.close(resolve));
  }
  open.runtime = undefined;
  open.server = undefined;
});

interface System {
  endpoint: string;
  requests: string[];
  connections: number;
}

async function system(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<System> {
  const seen: System = { endpoint: '', requests: [], connections: 0 };
  const server = createServer((request, response) => {
    seen.requests.push(`${request.method} ${request.url} accept-encoding=${request.headers['accept-encoding'] ?? ''}`);
    answer(request, response);
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.server = server;
  seen.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return seen;
}

function runtime(endpoint: string, timeoutMs?: number): ActionRuntime {
  const connection = { name: 'warehouse', system: 'openapi', authType: 'none', parameters: { endpoint }, secrets: {}, fingerprint: 'fp' };
  open.runtime = runtimeFor(catalog, connection, generateKeyPair(), timeoutMs !== undefined ? { timeoutMs } : {});
  return open.runtime;
}

const json = (response: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void => {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers });
  response.end(body);
};

describe('the runtime transport', () => {
  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
  ])('asks for compressed answers and decodes %s, a byte order mark too', async (coding, compress) => {
    const seen = await system((request, response) => {
      const body = Buffer.from(`\uFEFF${JSON.stringify(ITEM)}`, 'utf8');
      if (!String(request.headers['accept-encoding']).includes(coding)) return json(response, 200, body);
      json(response, 200, compress(body), { 'content-encoding': coding });
    });
    expect(await runtime(seen.endpoint).invoke('warehouse', 'GetItem', { itemId: 'i1' })).toEqual({ ok: true, output: ITEM, pages: 1 });
    expect(seen.requests).toEqual(['GET /items/i1 accept-encoding=gzip, deflate, br']);
  });

  it('reuses its connections for calls in a row', async () => {
    const seen = await system((_request, response) => json(response, 200, Buffer.from(JSON.stringify(ITEM))));
    const calls = runtime(seen.endpoint);
    for (let i = 0; i < 8; i++) expect((await calls.invoke('warehouse', 'GetItem', { itemId: 'i1' })).ok).toBe(true);
    expect(seen.requests).toHaveLength(8);
    // The pool may open a second connection while the first finishes reading an answer; never one per call.
    expect(seen.connections).toBeLessThanOrEqual(2);
  });

  it('answers a redirect as the system gave it, without following it', async () => {
    const seen = await system((_request, response) => json(response, 302, Buffer.from('{}'), { location: '/items/i2' }));
    const result = await runtime(seen.endpoint).invoke('warehouse', 'GetItem', { itemId: 'i1' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.body.upstream?.status).toBe(302);
    expect(seen.requests).toEqual(['GET /items/i1 accept-encoding=gzip, deflate, br']);
  });

  it('gives up on a system that does not answer within the timeout', async () => {
    const seen = await system(() => undefined);
    const result = await runtime(seen.endpoint, 200).invoke('warehouse', 'GetItem', { itemId: 'i1' });
    expect(result).toMatchObject({ ok: false, body: { reason: 'UpstreamTimeout', message: `${seen.endpoint} did not answer within 200 ms` } });
  }, deadline(5000));

  it('gives up on an answer whose body trickles in past the timeout, each piece in time', async () => {
    const trickles: NodeJS.Timeout[] = [];
    const seen = await system((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"i1",');
      const trickle = setInterval(() => response.write(' '), 50);
      trickles.push(trickle);
      response.on('close', () => clearInterval(trickle));
    });
    try {
      const result = await runtime(seen.endpoint, 300).invoke('warehouse', 'GetItem', { itemId: 'i1' });
      expect(result).toMatchObject({ ok: false, body: { reason: 'UpstreamTimeout', message: `${seen.endpoint} did not answer within 300 ms` } });
    } finally {
      for (const trickle of trickles) clearInterval(trickle);
    }
  }, deadline(5000));

  it('says a system is unreachable when nothing listens at its port', async () => {
    const seen = await system(() => undefined);
    await new Promise((resolve) => open.server!.close(resolve));
    open.server = undefined;
    const result = await runtime(seen.endpoint).invoke('warehouse', 'GetItem', { itemId: 'i1' });
    expect(result).toMatchObject({ ok: false, body: { reason: 'UpstreamUnreachable', message: `${seen.endpoint} cannot be reached (ECONNREFUSED)` } });
  });
});
