import { afterEach, describe, expect, it } from 'vitest';
import { serve, type TestServer } from './support/serve.ts';

const TOKEN = 'generic-webhook-token-5e1f';

async function post(server: TestServer, options: { authorization?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.url}/webhooks/generic`, {
    method: 'POST',
    headers: {
      ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, authenticate: response.headers.get('www-authenticate') };
}

let server: TestServer;
afterEach(async () => server?.close());

describe('POST /webhooks/generic', () => {
  it('enqueues every environment for a request with the token and no body', async () => {
    server = await serve({ genericToken: TOKEN });
    const reply = await post(server, { authorization: `Bearer ${TOKEN}` });
    expect(reply).toMatchObject({ status: 202, body: { result: 'accepted', enqueued: ['dev', 'test'] } });
    expect(server.enqueued.all).toEqual(['generic webhook']);
  });

  it('enqueues the environments named, and says which it does not know', async () => {
    server = await serve({ genericToken: TOKEN });
    const reply = await post(server, { authorization: `Bearer ${TOKEN}`, body: { environments: ['test', 'staging'] } });
    expect(reply).toMatchObject({ status: 202, body: { result: 'accepted', enqueued: ['test'], unknown: ['staging'] } });
    expect(server.enqueued.some).toEqual([{ environments: ['test', 'staging'], reason: 'generic webhook' }]);
    expect(server.enqueued.all).toEqual([]);
  });

  it.each([
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a token cut short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['basic credentials', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
    ['no authorization', undefined],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with 401 and enqueues nothing', async (_name, authorization) => {
    server = await serve({ genericToken: TOKEN });
    const reply = await post(server, { ...(authorization !== undefined ? { authorization } : {}), body: { environments: ['dev'] } });
    expect(reply).toMatchObject({ status: 401, body: { error: 'Unauthorized' }, authenticate: 'Bearer' });
    expect(server.enqueued).toEqual({ all: [], some: [] });
  });

  it.each([
    ['environments that are not a list', { environments: { dev: true } }],
    ['a name that cannot be an environment', { environments: ['../dev'] }],
    ['a field it does not know', { environment: ['dev'] }],
  ])('answers 400 to %s', async (_name, body) => {
    server = await serve({ genericToken: TOKEN });
    const reply = await post(server, { authorization: `Bearer ${TOKEN}`, body });
    expect(reply.status).toBe(400);
    expect(server.enqueued).toEqual({ all: [], some: [] });
  });

  it('is not there without a token', async () => {
    server = await serve({});
    expect((await post(server, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });
});
