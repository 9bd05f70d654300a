import { fastify, type FastifyReply, type FastifyRequest } from 'fastify';

export const INVENTORY_KEY = 'inv-key-5c1e9b7d3a';

/**
 * The description of the inventory: Get and Search of items. `media` is what its success
 * answers are described as: JSON beside XML (the API negotiates), or one type alone.
 */
export function inventorySpec(media: string[] = ['application/json', 'application/xml']): string {
  const content = (schema: string): string => `{ ${media.map((type) => `${type}: { schema: { $ref: '#/components/schemas/${schema}' } }`).join(', ')} }`;
  return `openapi: 3.0.3
info: { title: Inventory, version: 1.0.0 }
components:
  securitySchemes:
    apiKey: { type: apiKey, in: header, name: X-API-Key }
  schemas:
    Item:
      type: object
      required: [id, name]
      properties: { id: { type: string }, name: { type: string } }
      additionalProperties: false
    ItemPage:
      type: object
      required: [items]
      properties:
        items: { type: array, items: { $ref: '#/components/schemas/Item' } }
        next: { type: string, nullable: true }
security: [{ apiKey: [] }]
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200': { description: a page of items, content: ${content('ItemPage')} }
  /items/{itemId}:
    get:
      operationId: getItem
      parameters: [{ name: itemId, in: path, required: true, schema: { type: string } }]
      responses:
        '200': { description: the item, content: ${content('Item')} }
`;
}

/**
 * How each flavour of the inventory answers a read:
 * - `negotiating`: JSON when Accept names application/json, else XML (as many older APIs do for `*\/*`);
 * - `xml`: XML whatever was asked;
 * - `broken-json`: says application/json, sends XML;
 * - `xml-second-page`: the first page of a search in JSON, the next in XML;
 * - `hal`: application/hal+json when asked for it, else XML.
 * Every XML answer echoes the API key, as careless services echo what they were sent.
 */
export const FLAVOURS = ['negotiating', 'xml', 'broken-json', 'xml-second-page', 'hal'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export interface Inventory {
  /** The endpoint of one flavour, for a connection. */
  endpoint(flavour: Flavour): string;
  /** The Accept header of every request, in order. */
  accepts: string[];
  close(): Promise<void>;
}

const ITEMS = [
  { id: 'i1', name: 'bolt' },
  { id: 'i2', name: 'nut' },
];

export async function startInventory(): Promise<Inventory> {
  const app = fastify();
  const accepts: string[] = [];
  const xml = (reply: FastifyReply, request: FastifyRequest, body: string): FastifyReply =>
    reply.type('application/xml; charset=utf-8').send(`<?xml version="1.0"?>${body.replace('</', `<key>${String(request.headers['x-api-key'])}</key></`)}`);
  const itemXml = (item: { id: string; name: string }): string => `<item><id>${item.id}</id><name>${item.name}</name></item>`;

  const answer = (request: FastifyRequest, reply: FastifyReply, json: unknown, xmlBody: string, page: number): FastifyReply => {
    const { flavour } = request.params as { flavour: Flavour };
    const accept = request.headers.accept ?? '';
    accepts.push(accept);
    if (request.headers['x-api-key'] !== INVENTORY_KEY) return reply.code(401).send({ code: 'InvalidKey', message: 'no key' });
    switch (flavour) {
      case 'negotiating':
        return accept.includes('application/json') ? reply.type('application/json').send(json) : xml(reply, request, xmlBody);
      case 'hal':
        return accept.includes('application/hal+json') ? reply.type('application/hal+json').send(json) : xml(reply, request, xmlBody);
      case 'broken-json':
        return reply.type('application/json').send(`<?xml version="1.0"?>${xmlBody}`);
      case 'xml-second-page':
        return page === 0 ? reply.type('application/json').send(json) : xml(reply, request, xmlBody);
      default:
        return xml(reply, request, xmlBody);
    }
  };
  app.get('/:flavour/items', async (request, reply) => {
    const skip = Number((request.query as { skip?: string }).skip ?? 0);
    const item = ITEMS[skip];
    const page = { items: item ? [item] : [], next: skip + 1 < ITEMS.length ? `items?skip=${skip + 1}` : null };
    return answer(request, reply, page, `<items>${item ? itemXml(item) : ''}</items>`, skip);
  });
  app.get('/:flavour/items/:itemId', async (request, reply) => {
    const item = ITEMS.find((i) => i.id === (request.params as { itemId: string }).itemId);
    if (!item) return reply.code(404).send({ code: 'NotFound', message: 'no such item' });
    return answer(request, reply, item, itemXml(item), 0);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { endpoint: (flavour) => `${url}/${flavour}`, accepts, close: () => app.close() };
}
