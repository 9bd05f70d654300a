import { describe, expect, it } from 'vitest';
import { buildArtifact } from '../../controller/artifact/build-artifact.ts';
import { checkCatalogCompiles, compileCatalogSchema, createCatalogAjv } from '../../controller/artifact/compile-catalog.ts';
import { renderDeclarations } from '../../controller/artifact/declarations.ts';
import type { ActionCatalog, JsonSchema } from '../../controller/core/catalog.ts';
import { odataGenerator } from '../../controller/generators/odata/odata-generator.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { generateFrom, integration, typeCheck } from './support.ts';

type Json = Record<string, unknown>;

/** A small OpenAPI 3.0 document: the paths given, the component schemas given. */
function document(paths: Json, schemas: Json = {}, openapi = '3.0.3'): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ openapi, info: { title: 't', version: '1' }, paths, components: { schemas } }));
}

const json = (schema: unknown): Json => ({ description: 'ok', content: { 'application/json': { schema } } });
const get = (schema: unknown, operationId: string, parameters: unknown[] = []): Json => ({ get: { operationId, parameters, responses: { 200: json(schema) } } });
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

async function catalogOf(bytes: Uint8Array, selection = {}, generator = openapiGenerator as typeof openapiGenerator | typeof odataGenerator): Promise<ActionCatalog> {
  const system = generator === openapiGenerator ? 'openapi' : 'odata';
  const result = await generateFrom(generator as typeof openapiGenerator, bytes, { name: 'demo', spec: integration(system, 'spec', selection).spec, specPath: 'spec', dependencies: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(checkCatalogCompiles(result.value)).toEqual([]);
  return result.value;
}

/** Whether the runtime's validator of an action's output (or input) accepts a value. */
function accepts(catalog: ActionCatalog, action: string, side: 'input' | 'output', value: unknown): boolean {
  const found = catalog.actions.find((a) => a.name === action)!;
  return compileCatalogSchema(createCatalogAjv(), catalog, found[side])(value) as boolean;
}

const PET = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };

describe('record schemas the generator used to empty', () => {
  it('merges an allOf list wrapper with the specific definition winning: the list is an array of the record', async () => {
    const schemas = { Generic: { type: 'object', properties: { data: { type: 'object' }, total: { type: 'integer' } } }, Pet: PET };
    const wrapper = { allOf: [ref('Generic'), { type: 'object', properties: { data: { type: 'array', items: ref('Pet') } } }] };
    const catalog = await catalogOf(document({ '/pets': get(wrapper, 'listPets') }, schemas));
    expect(catalog.actions.find((a) => a.name === 'SearchPets')?.request.response.pointer).toBe('/data');
    expect(Object.keys((catalog.definitions.Pet as { properties: Json }).properties).sort()).toEqual(['id', 'name']);
    expect(accepts(catalog, 'SearchPets', 'output', { items: [{ id: 1, name: 'Rex' }] })).toBe(true);
  });

  it('keeps a oneOf record as the document gives it: Get returns the body, Search accepts its items', async () => {
    const file = { type: 'object', properties: { type: { type: 'string', enum: ['file'] }, content: { type: 'string' } }, required: ['type'] };
    const dir = { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, name: { type: 'string' } } } };
    const catalog = await catalogOf(document({
      '/contents': get({ type: 'array', items: { oneOf: [ref('File'), ref('Dir')] } }, 'listContents'),
      '/contents/{id}': get({ oneOf: [ref('File'), ref('Dir')] }, 'getContent', [idParam]),
    }, { File: file, Dir: dir }));
    const entity = catalog.definitions[catalog.entities[0]!.typeName] as JsonSchema;
    expect(entity.oneOf).toHaveLength(2);
    expect(accepts(catalog, 'GetContent', 'output', { type: 'file', content: 'aGk=' })).toBe(true);
    expect(accepts(catalog, 'GetContent', 'output', [{ type: 'dir', name: 'src' }])).toBe(true);
    expect(accepts(catalog, 'SearchContents', 'output', { items: [{ type: 'file', content: '' }] })).toBe(true);
  });
});

describe('OpenAPI 3.0 keywords in draft-07 terms, as the runtime compiles them', () => {
  it.each<[string, Json, unknown, unknown]>([
    ['boolean exclusiveMinimum', { type: 'integer', minimum: 0, exclusiveMinimum: true }, 1, 0],
    ['boolean exclusiveMaximum', { type: 'number', maximum: 10, exclusiveMaximum: true }, 9.5, 10],
    ['false exclusiveMaximum', { type: 'number', maximum: 10, exclusiveMaximum: false }, 10, 11],
    ['nullable on a type', { type: 'string', nullable: true }, null, 1],
    ['nullable on a reference', { allOf: [ref('Pet')], nullable: true }, null, 'x'],
    ['an enum with repeated values', { type: 'string', enum: ['a', 'b', 'a'] }, 'a', 'c'],
    ['a nullable enum', { type: 'string', enum: ['a'], nullable: true }, null, 'b'],
  ])('%s', async (_name, schema, good, bad) => {
    const catalog = await catalogOf(document({ '/check': { post: { operationId: 'check', responses: { 200: json(schema) } } } }, { Pet: PET }));
    expect(accepts(catalog, 'Check', 'output', good)).toBe(true);
    expect(accepts(catalog, 'Check', 'output', bad)).toBe(false);
  });

  it('reads OpenAPI 3.1 prefixItems as draft-07 tuple items', async () => {
    const schema = { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false };
    const catalog = await catalogOf(document({ '/check': { post: { operationId: 'check', responses: { 200: json(schema) } } } }, {}, '3.1.0'));
    expect(accepts(catalog, 'Check', 'output', ['a', 1])).toBe(true);
    expect(accepts(catalog, 'Check', 'output', ['a', 1, 2])).toBe(false);
    expect(accepts(catalog, 'Check', 'output', [1, 'a'])).toBe(false);
  });
});

describe('discriminator', () => {
  const schemas = {
    Cat: { type: 'object', properties: { petType: { type: 'string' }, meow: { type: 'boolean' } }, required: ['petType'] },
    Dog: { type: 'object', properties: { petType: { type: 'string' }, bark: { type: 'boolean' } }, required: ['petType'] },
    Pet: { oneOf: [ref('Cat'), ref('Dog')], discriminator: { propertyName: 'petType', mapping: { cat: '#/components/schemas/Cat', dog: 'Dog' } } },
  };
  const bytes = document({ '/adopt': { post: { operationId: 'adopt', requestBody: { content: { 'application/json': { schema: ref('Pet') } } }, responses: { 200: json(ref('Pet')) } } } }, schemas);

  it.each<[unknown, boolean]>([
    [{ petType: 'cat', meow: true }, true],
    [{ petType: 'dog', bark: true, extra: 1 }, true],
    [{ petType: 'bird' }, false],
    [{ meow: true }, false],
  ])('a oneOf of open objects accepts the branch the value names: %j', async (value, ok) => {
    const catalog = await catalogOf(bytes);
    expect(accepts(catalog, 'Adopt', 'output', value)).toBe(ok);
  });

  it('types the discriminator per branch as a literal in the declarations', async () => {
    const declarations = await renderDeclarations(await catalogOf(bytes));
    const checks = [
      'type Assert<T extends true> = T;',
      "export type CatFits = Assert<{ petType: 'cat'; meow: true } extends Pet ? true : false>;",
      "export type CowRefused = Assert<{ petType: 'cow' } extends Pet ? false : true>;",
      'export type AnyStringRefused = Assert<{ petType: string } extends Pet ? false : true>;',
    ];
    const use = `${declarations}\n${checks.join('\n')}\n`;
    expect(typeCheck(use)).toEqual([]);
  });
});

describe('a response with a media type and no schema', () => {
  it('is any value, for functions and for reads', async () => {
    const catalog = await catalogOf(document({
      '/things/{id}': { get: { operationId: 'getThing', parameters: [idParam], responses: { 200: { description: 'ok', content: { 'application/json': {} } } } } },
      '/ping': { post: { operationId: 'ping', responses: { 200: { description: 'ok', content: { 'text/plain': {} } } } } },
    }));
    expect(catalog.definitions.PingOutput).toEqual({});
    expect(accepts(catalog, 'Ping', 'output', 'pong')).toBe(true);
    const getThing = catalog.actions.find((a) => a.kind === 'Get')!;
    expect(accepts(catalog, getThing.name, 'output', { anything: [1] })).toBe(true);
  });
});

describe('outputs open, inputs closed', () => {
  const bytes = document({
    '/pets': { ...get({ type: 'array', items: ref('Pet') }, 'listPets'), post: { operationId: 'addPet', requestBody: { content: { 'application/json': { schema: ref('Pet') } } }, responses: { 201: json(ref('Pet')) } } },
    '/pets/{id}': get(ref('Pet'), 'getPet', [idParam]),
  }, { Pet: PET });

  it('reads accept fields the specification does not name; writes refuse them', async () => {
    const catalog = await catalogOf(bytes);
    expect(accepts(catalog, 'GetPet', 'output', { id: 1, name: 'Rex', addedLater: true })).toBe(true);
    expect(accepts(catalog, 'CreatePet', 'input', { record: { name: 'Rex', addedLater: true } })).toBe(false);
  });

  it('lists the selected attributes on the entity, so the runtime can project onto them', async () => {
    const catalog = await catalogOf(bytes, { entities: [{ name: 'pets', operations: ['Get'], attributes: ['name'] }] });
    expect(catalog.entities[0]?.attributes).toEqual(['id', 'name']);
    const whole = await catalogOf(bytes);
    expect(whole.entities[0]?.attributes).toBeUndefined();
  });
});

describe('catalogs the runtime cannot compile are not published', () => {
  const catalog = (definition: JsonSchema): ActionCatalog => ({
    integration: 'x', system: 'openapi', generator: { system: 'openapi', version: '0' }, specification: { path: 'spec', format: 'OpenAPI 3.0.3' }, entities: [],
    actions: [{ name: 'Do', kind: 'Function', source: '/paths/~1do/post', input: { $ref: '#/definitions/DoInput' }, output: {}, request: { method: 'POST', path: '/do', pathParameters: {}, query: [], headers: [], response: { pointer: '' } } }],
    definitions: { DoInput: { type: 'object', properties: { v: { $ref: '#/definitions/Shared' } } }, Shared: definition },
  });

  it.each<[string, JsonSchema]>([
    ['a valid schema', { type: 'string', pattern: '^[a-z]+$' }],
    ['a repeated enum value', { enum: ['a', 'a'] }],
    ['a boolean exclusiveMinimum', { type: 'number', minimum: 0, exclusiveMinimum: true }],
    ['a regular expression JavaScript cannot read', { type: 'string', pattern: '[z-a]' }],
    ['a reference to nothing', { $ref: '#/definitions/Missing' }],
    ['a type that is not a JSON type', { type: 'file' }],
  ])('finds exactly what the runtime refuses to compile: %s', (_name, definition) => {
    const c = catalog(definition);
    let runtimeRefuses = false;
    try {
      compileCatalogSchema(createCatalogAjv(), c, c.actions[0]!.input);
    } catch {
      runtimeRefuses = true;
    }
    const problems = checkCatalogCompiles(c);
    expect(problems.length > 0).toBe(runtimeRefuses);
    for (const p of problems) expect(p).toMatchObject({ pointer: '/paths/~1do/post', message: expect.stringMatching(/schema Shared.*used by action Do/) });
  });

  it('fails generate with the action and the schema at fault', async () => {
    const bytes = document({ '/do': { post: { operationId: 'do', responses: { 200: json({ type: 'string', pattern: '[z-a]' }) } } } });
    const result = await buildArtifact({ integration: integration('openapi', 'spec', {}, 'demo'), specBytes: bytes, specPath: 'spec' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([expect.objectContaining({ pointer: '/paths/~1do/post', message: expect.stringMatching(/would not compile in the runtime in schema DoOutput.*used by action Do.*pattern/) })]);
  });
});

describe('OData open types', () => {
  const edmx = (open: string): Uint8Array => new TextEncoder().encode(`<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<ComplexType Name="Map"${open}/>
<EntityType Name="Doc"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="meta" Type="S.Map"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Docs" EntityType="S.Doc"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`);

  it.each<[string, boolean]>([[' OpenType="true"', true], ['', false]])('a complex type%s accepts any object: %s', async (open, acceptsAny) => {
    const catalog = await catalogOf(edmx(open), {}, odataGenerator);
    expect(accepts(catalog, 'GetDoc', 'output', { id: 1, meta: { any: 'thing', n: 1 } })).toBe(acceptsAny);
  });
});
