import { describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { describeSpec, fixture, generateFrom, integration } from './support.ts';

const SHOP = 'shop-openapi.yaml';

async function generate(selection = {}, bytes = fixture(SHOP)): Promise<ActionCatalog> {
  const result = await generateFrom(openapiGenerator, bytes, { name: 'shop', spec: integration('openapi', SHOP, selection).spec, specPath: SHOP, dependencies: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

describe('the OpenAPI generator infers resources from paths', () => {
  it.each([
    ['products', ['Get', 'Search', 'Count', 'Create', 'Update']],
    ['orders', ['Get', 'Search', 'Delete']],
  ])('%s supports %j', async (name, operations) => {
    const described = await describeSpec(openapiGenerator, fixture(SHOP));
    if (!described.ok) throw new Error('describe failed');
    expect(described.value.entities.find((e) => e.name === name)?.operations).toEqual(operations);
  });

  it('makes operations that are not CRUD functions named by their operationId', async () => {
    const described = await describeSpec(openapiGenerator, fixture(SHOP));
    if (!described.ok) throw new Error('describe failed');
    expect(described.value.functions.map((f) => f.name).sort()).toEqual(['discontinueProduct', 'getHealth']);
  });

  it('takes attributes from the record schema, following $ref and allOf', async () => {
    const described = await describeSpec(openapiGenerator, fixture(SHOP));
    if (!described.ok) throw new Error('describe failed');
    expect(described.value.entities.find((e) => e.name === 'products')?.attributes).toEqual(['name', 'category', 'price', 'id', 'status', 'parent']);
  });
});

describe('the OpenAPI generator builds actions', () => {
  it.each([
    ['SearchProducts', 'GET', '/products', '/items'],
    ['CountProducts', 'GET', '/products/$count', '/count'],
    ['GetProduct', 'GET', '/products/{productId}', ''],
    ['CreateProduct', 'POST', '/products', ''],
    ['UpdateProduct', 'PATCH', '/products/{productId}', ''],
    ['DeleteOrder', 'DELETE', '/orders/{orderId}', ''],
    ['DiscontinueProduct', 'POST', '/products/{productId}/discontinue', ''],
  ])('%s runs %s %s and reads the result at %j', async (name, method, path, pointer) => {
    const catalog = await generate();
    const action = catalog.actions.find((a) => a.name === name);
    expect(action?.request).toMatchObject({ method, path, response: { pointer } });
  });

  it('offers basic filters on the attributes the list operation takes as parameters, advanced filter, ordering and skip/top', async () => {
    const catalog = await generate();
    const input = catalog.definitions.SearchProductsInput as { properties: Record<string, { items?: { properties: Record<string, { enum?: string[] }> } }> };
    expect(Object.keys(input.properties).sort()).toEqual(['filter', 'filters', 'order', 'orderBy', 'skip', 'top']);
    expect(input.properties.filters?.items?.properties.attribute?.enum).toEqual(['category']);
    expect(input.properties.filters?.items?.properties.operator?.enum).toEqual(['eq']);
  });

  it('pages by page number where the API does', async () => {
    const catalog = await generate();
    const input = catalog.definitions.SearchOrdersInput as { properties: Record<string, unknown> };
    expect(Object.keys(input.properties).sort()).toEqual(['page', 'pageSize']);
    expect(catalog.actions.find((a) => a.name === 'SearchOrders')?.request.response.pointer).toBe('');
  });

  it('asks for required query parameters of a function, and its path parameters', async () => {
    const catalog = await generate();
    expect(catalog.definitions.DiscontinueProductInput).toMatchObject({ required: ['productId', 'reason'] });
  });

  it('keeps only the selected operations and attributes (and the key), and prunes unused types', async () => {
    const catalog = await generate({ entities: [{ name: 'products', operations: ['Get'], attributes: ['name'] }], functions: [] });
    expect(catalog.actions.map((a) => a.name)).toEqual(['GetProduct']);
    expect(Object.keys((catalog.definitions.Product as { properties: object }).properties).sort()).toEqual(['id', 'name']);
    expect(Object.keys(catalog.definitions).sort()).toEqual(['GetProductInput', 'Product']);
  });

  it('turns OpenAPI 3.0 nullable into a JSON Schema type union', async () => {
    const catalog = await generate({ entities: [{ name: 'products', operations: ['Get'], attributes: ['category'] }], functions: [] });
    expect((catalog.definitions.Product as { properties: Record<string, unknown> }).properties.category).toEqual({ type: ['string', 'null'] });
  });
});

describe('the OpenAPI generator reports what it cannot handle, with the path in the document', () => {
  const variant = (from: string, to: string): Uint8Array => new TextEncoder().encode(new TextDecoder().decode(fixture(SHOP)).replace(from, to));

  it.each([
    ['an unsupported version', variant('openapi: 3.0.3', 'openapi: 4.0.0'), '/openapi', /only OpenAPI 3.0, 3.1 and Swagger 2.0/],
    ['a $ref to nothing', variant("$ref: '#/components/schemas/Money'", "$ref: '#/components/schemas/Cash'"), '/components/schemas/ProductInput/properties/price/$ref', /points at nothing/],
    ['a response without a description', variant("'204': { description: Cancelled }", "'204': { summary: Cancelled }"), '/paths/~1orders~1{orderId}/delete/responses/204', /description/],
    ['YAML that does not parse', variant('paths:', 'paths: ['), '', /neither JSON nor YAML at line/],
  ])('%s', async (_name, bytes, pointer, message) => {
    // Faults inside the document are read, and refuse a selection that uses them (all, here).
    const result = await generateFrom(openapiGenerator, bytes, { name: 'shop', spec: integration('openapi', SHOP).spec, specPath: SHOP, dependencies: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ reason: 'SpecificationInvalid', pointer });
    expect(result.problems[0]!.message).toMatch(message);
  });

  it('never follows a reference outside the document', async () => {
    const described = await openapiGenerator.parse(variant("$ref: '#/components/schemas/Money'", "$ref: '/etc/passwd#/x'"), {});
    expect(described.ok).toBe(false);
    if (!described.ok) expect(described.problems[0]).toMatchObject({ pointer: '/components/schemas/ProductInput/properties/price/$ref', message: expect.stringMatching(/outside the document/) });
  });
});
