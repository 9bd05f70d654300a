import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export const WAREHOUSE_SPEC = join(import.meta.dirname, '..', 'fixtures', 'warehouse-openapi.yaml');
export const WAREHOUSE_KEY = 'wh-key-7f3c9a1e5b2d';
export const WAREHOUSE_CLIENT = { id: 'intctl-runtime', secret: 'wh-client-secret-4e8b2c6a' };

export interface Item {
  id: string;
  name: string;
  quantity: number;
  location: string | null;
}

export interface Warehouse {
  url: string;
  items: Map<string, Item>;
  /** Every request to /items*, as `METHOD path?query`. */
  requests: string[];
  /** Token requests to /oauth/token. */
  tokenRequests: number;
  /** Tokens the server gave and still accepts. */
  tokens: Set<string>;
  /** When true, GET /items/{id} answers a quantity as text: an answer its own description does not allow. */
  corrupt: boolean;
  close(): Promise<void>;
}

const PAGE = 2;

/**
 * The warehouse: a small REST service described by fixtures/warehouse-openapi.yaml, served on a
 * loopback port. It pages its lists two items at a time with a `next` link, answers errors as
 * `{code, message}`, and authenticates by API key (echoing a wrong key in its error, as careless
 * services do) or by OAuth 2.0 client credentials with its own token endpoint.
 */
export async function startWarehouse(auth: 'apiKey' | 'oauth'): Promise<Warehouse> {
  const app: FastifyInstance = fastify();
  const state: Omit<Warehouse, 'url' | 'close'> = { items: new Map(), requests: [], tokenRequests: 0, tokens: new Set(), corrupt: false };
  let nextId = 1;
  const add = (name: string, quantity: number, location: string | null): Item => {
    const item = { id: `i${nextId++}`, name, quantity, location };
    state.items.set(item.id, item);
    return item;
  };
  add('bolt', 120, 'A1');
  add('nut', 300, 'A1');
  add('washer', 75, 'B2');
  add('hinge', 12, null);
  add('bracket', 40, 'B2');

  const spec = await readFile(WAREHOUSE_SPEC, 'utf8');
  app.get('/openapi.yaml', async (_request, reply) => reply.type('application/yaml').send(spec));

  app.post('/oauth/token', async (request, reply) => {
    state.tokenRequests++;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const [id, secret] = Buffer.from(basic ?? '', 'base64').toString('utf8').split(':').map(decodeURIComponent);
    const form = new URLSearchParams(request.body as string);
    if (id !== WAREHOUSE_CLIENT.id || secret !== WAREHOUSE_CLIENT.secret || form.get('grant_type') !== 'client_credentials') {
      return reply.code(401).send({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    }
    const token = `wh-token-${state.tokenRequests}`;
    state.tokens.add(token);
    return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') };
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const refuse = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    if (auth === 'apiKey') {
      const key = request.headers['x-api-key'];
      if (key === WAREHOUSE_KEY) return undefined;
      return reply.code(401).send({ code: 'InvalidKey', message: `the key ${String(key)} is not valid` });
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && state.tokens.has(token)) return undefined;
    return reply.code(401).send({ code: 'InvalidToken', message: 'the access token is not valid' });
  };
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/items')) return;
    state.requests.push(`${request.method} ${request.url}`);
    return refuse(request, reply);
  });

  type ListQuery = { location?: string; orderBy?: string; skip?: string; top?: string };
  const matching = (query: ListQuery): Item[] => [...state.items.values()].filter((i) => query.location === undefined || i.location === query.location);
  app.get('/items', async (request) => {
    const query = request.query as ListQuery;
    const all = matching(query);
    for (const key of (query.orderBy ?? '').split(',').filter((k) => k !== '').reverse()) {
      const field = key.replace(/^-/, '') as keyof Item;
      const sign = key.startsWith('-') ? -1 : 1;
      all.sort((a, b) => (String(a[field]) < String(b[field]) ? -sign : String(a[field]) > String(b[field]) ? sign : 0));
    }
    const skip = Number(query.skip ?? 0);
    const top = query.top === undefined ? Number.POSITIVE_INFINITY : Number(query.top);
    const size = Math.min(PAGE, top);
    const items = all.slice(skip, skip + size);
    const remaining = top - items.length;
    const more = skip + items.length < all.length && remaining > 0;
    const params = new URLSearchParams({ ...(query.location ? { location: query.location } : {}), ...(query.orderBy ? { orderBy: query.orderBy } : {}), skip: String(skip + items.length) });
    if (Number.isFinite(remaining)) params.set('top', String(remaining));
    return { items, total: all.length, next: more ? `/items?${params}` : null };
  });
  app.get('/items/$count', async (request) => ({ count: matching(request.query as ListQuery).length }));
  app.post('/items', async (request, reply) => {
    const body = request.body as Partial<Item>;
    if (typeof body.name !== 'string' || body.name === '' || typeof body.quantity !== 'number') {
      return reply.code(422).send({ code: 'InvalidItem', message: 'an item needs a name and a quantity' });
    }
    if (body.name === 'duplicate') return reply.code(409).send({ code: 'Duplicate', message: 'an item of that name exists' });
    return reply.code(201).send(add(body.name, body.quantity, body.location ?? null));
  });
  app.get('/items/:itemId', async (request, reply) => {
    const item = state.items.get((request.params as { itemId: string }).itemId);
    if (!item) return reply.code(404).send({ code: 'ItemNotFound', message: `no item ${(request.params as { itemId: string }).itemId}` });
    return state.corrupt ? { ...item, quantity: String(item.quantity) } : item;
  });
  app.patch('/items/:itemId', async (request, reply) => {
    const item = state.items.get((request.params as { itemId: string }).itemId);
    if (!item) return reply.code(404).send({ code: 'ItemNotFound', message: 'no such item' });
    Object.assign(item, request.body as Partial<Item>);
    return item;
  });
  app.delete('/items/:itemId', async (request, reply) => {
    const id = (request.params as { itemId: string }).itemId;
    if (!state.items.delete(id)) return reply.code(404).send({ code: 'ItemNotFound', message: `no item ${id}` });
    return reply.code(204).send();
  });

  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const warehouse = state as Warehouse;
  warehouse.url = url;
  warehouse.close = () => app.close();
  return warehouse;
}
