import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { LocalSwaggerParser } from '../../controller/generators/openapi/dereference-local.ts';
import { openApiSchemaErrors } from '../../controller/generators/openapi/openapi-schema-validator.ts';
import { fixture, packaged } from './support.ts';

/**
 * The two shortcuts of checking an OpenAPI document, held to the library they stand in for: the
 * dereference that walks each shared object once gives what @apidevtools/swagger-parser's own
 * dereference gives, and the schema check that checks each schema object once reports what the
 * library's own check (validators/schema.js) reports, error for error; and a document checked
 * dereferenced in place, without a copy, is given back as it was.
 */
const require = createRequire(import.meta.url);
const validateSchema = require('@apidevtools/swagger-parser/lib/validators/schema.js') as (api: unknown) => void;

const OPTIONS = { resolve: { external: false }, dereference: { circular: 'ignore' }, validate: { schema: false, spec: false } };

async function bothDereferenced(document: object): Promise<{ library: unknown; local: unknown; libraryCircular: boolean; localCircular: boolean }> {
  const libraryParser = new SwaggerParser();
  const library = await libraryParser.validate(structuredClone(document) as never, OPTIONS as never);
  const localParser = new LocalSwaggerParser();
  const local = await localParser.validate(structuredClone(document) as never, OPTIONS as never);
  return { library, local, libraryCircular: libraryParser.$refs.circular, localCircular: localParser.$refs.circular };
}

/** The library's schema errors, as it reports them in `details`: what intctl reads of each. */
function libraryErrors(api: unknown): unknown[] {
  try {
    validateSchema(structuredClone(api));
    return [];
  } catch (error) {
    return summary((error as { details: unknown[] }).details);
  }
}

function summary(errors: unknown[]): unknown[] {
  return errors.map((e) => {
    const { instancePath, keyword, message, params } = e as Record<string, unknown>;
    return { instancePath, keyword, message, params };
  });
}

const doc = (paths: object, schemas: object = {}, extra: object = {}): Record<string, unknown> => ({
  openapi: '3.0.3',
  info: { title: 'T', version: '1' },
  paths,
  components: { schemas },
  ...extra,
});

const get = (schema: object): object => ({ get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } } });
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });

const CASES: Array<[string, Record<string, unknown>]> = [
  ['a schema shared by several operations', doc({ '/a': get(ref('A')), '/b': get({ type: 'array', items: ref('A') }) }, { A: { type: 'object', properties: { b: ref('B'), c: ref('B') } }, B: { type: 'string' } })],
  ['a schema that refers to itself', doc({ '/a': get(ref('Node')) }, { Node: { type: 'object', properties: { next: ref('Node'), value: { type: 'string' } } } })],
  ['two schemas that refer to each other', doc({ '/a': get(ref('A')), '/b': get(ref('B')) }, { A: { type: 'object', properties: { b: ref('B') } }, B: { type: 'object', properties: { a: ref('A'), n: ref('N') } }, N: { type: 'number' } })],
  ['a cycle reached from a shared schema', doc({ '/a': get(ref('Wrap')), '/b': get(ref('Wrap')) }, { Wrap: { type: 'object', properties: { tree: ref('Tree'), leaf: ref('Leaf') } }, Tree: { type: 'object', properties: { kids: { type: 'array', items: ref('Tree') } } }, Leaf: { type: 'string' } })],
  ['a $ref with siblings', doc({ '/a': get({ ...ref('A'), description: 'here' }), '/b': get(ref('A')) }, { A: { type: 'object', description: 'there' } })],
  ['a $ref to a $ref', doc({ '/a': get(ref('Alias')) }, { Alias: ref('A'), A: { type: 'integer' } })],
  ['a reference into another schema', doc({ '/a': get({ $ref: '#/components/schemas/A/properties/b' }) }, { A: { type: 'object', properties: { b: { type: 'boolean' } } } })],
  ['shared parameters and responses', doc({ '/a/{id}': { parameters: [{ $ref: '#/components/parameters/id' }], get: { responses: { '200': { $ref: '#/components/responses/ok' } } } }, '/b/{id}': { parameters: [{ $ref: '#/components/parameters/id' }], get: { responses: { '200': { $ref: '#/components/responses/ok' } } } } }, { A: { type: 'string' } }, {})],
];
// The last case's components (parameters, responses) are set here, beside its schemas.
Object.assign((CASES.at(-1)![1].components as Record<string, unknown>), {
  parameters: { id: { name: 'id', in: 'path', required: true, schema: ref('A') } },
  responses: { ok: { description: 'ok', content: { 'application/json': { schema: ref('A') } } } },
});

/** Faults in a shared schema: each use of it is a place the library reports them. */
const FAULTY: Array<[string, Record<string, unknown>]> = [
  ['a shared schema of the wrong type', doc({ '/a': get(ref('A')), '/b': get({ type: 'array', items: ref('A') }) }, { A: { type: 'object', properties: { n: { type: 'float' } } } })],
  ['a field OpenAPI does not define, in a shared schema', doc({ '/a': get(ref('A')), '/b': get(ref('A')) }, { A: { type: 'object', colour: 'red', properties: { s: ref('S') } }, S: { type: 'string', minLength: -1 } })],
  ['faults inside a cycle', doc({ '/a': get(ref('Tree')), '/b': get(ref('Tree')) }, { Tree: { type: 'object', required: [], properties: { kids: { type: 'array', items: ref('Tree') } } } })],
  ['faults at several depths', doc({ '/a': get({ type: 'object', properties: { x: ref('A'), y: { allOf: [ref('A'), { type: 5 }] } } }) }, { A: { type: 'object', properties: { deep: { type: 'array', items: { type: 'object', properties: 3 } } } } })],
  ['a schema that is not an object', doc({ '/a': get(ref('A')), '/b': get(ref('A')) }, { A: 'a string' })],
];

describe('dereferencing each shared object once', () => {
  it.each(CASES)('gives what the library gives: %s', async (_name, document) => {
    const { library, local, libraryCircular, localCircular } = await bothDereferenced(document);
    expect(isDeepStrictEqual(local, library)).toBe(true);
    expect(localCircular).toBe(libraryCircular);
  });

  it('gives what the library gives for real documents', async () => {
    for (const document of [JSON.parse(new TextDecoder().decode(packaged('@octokit/openapi', 'generated/api.github.com.json'))), parseYaml(new TextDecoder().decode(fixture('shop-openapi.yaml')))]) {
      const { library, local, libraryCircular, localCircular } = await bothDereferenced(document as object);
      expect(isDeepStrictEqual(local, library)).toBe(true);
      expect(localCircular).toBe(libraryCircular);
    }
  });

  it('fails as the library does on a $ref to nothing', async () => {
    const document = doc({ '/a': get(ref('Nothing')) });
    const failure = async (parser: SwaggerParser): Promise<unknown> => {
      try {
        await parser.validate(structuredClone(document) as never, OPTIONS as never);
        return undefined;
      } catch (error) {
        return [(error as Error).message, (error as { targetRef?: string }).targetRef];
      }
    };
    const library = await failure(new SwaggerParser());
    const local = await failure(new LocalSwaggerParser());
    expect(local).toEqual(library);
    expect(local).toBeDefined();
  });
});

describe('checking each schema object once', () => {
  it.each(CASES)('finds nothing where the library finds nothing: %s', async (_name, document) => {
    const { local } = await bothDereferenced(document);
    expect(libraryErrors(local)).toEqual([]);
    expect(openApiSchemaErrors(local as Record<string, unknown>)).toEqual([]);
  });

  it.each(FAULTY)('reports what the library reports: %s', async (_name, document) => {
    const { local } = await bothDereferenced(document);
    const errors = summary(openApiSchemaErrors(local as Record<string, unknown>));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors).toEqual(libraryErrors(local));
  });

  it('reports faults where a real document uses a broken shared schema', async () => {
    const document = JSON.parse(new TextDecoder().decode(packaged('@octokit/openapi', 'generated/api.github.com.json'))) as { components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> } };
    const user = document.components.schemas['simple-user']!;
    user.properties.login!.type = 'text';
    user.properties.id!.minimum = 'zero';
    const { local } = await bothDereferenced(document);
    const errors = summary(openApiSchemaErrors(local as Record<string, unknown>));
    expect(errors.length).toBeGreaterThan(100);
    expect(errors).toEqual(libraryErrors(local));
  });
});

/** An operation given once and used at two paths through a YAML alias: one object, in two places, that holds a `$ref`. */
const ALIASED = parseYaml(
  [
    'openapi: 3.0.3',
    'info: { title: T, version: "1" }',
    'paths:',
    '  /a: &op',
    '    get: { responses: { "200": { description: ok, content: { application/json: { schema: { $ref: "#/components/schemas/A" } } } } } }',
    '  /b: *op',
    'components: { schemas: { A: { type: object, properties: { self: { $ref: "#/components/schemas/A" }, n: { type: integer } } } } }',
  ].join('\n'),
) as Record<string, unknown>;

/** Every object of a value, in the order a walk meets them: the same list twice is the same objects in the same places. */
function objectsOf(root: unknown): unknown[] {
  const found: unknown[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    found.push(node);
    for (const value of Object.values(node)) pending.push(value);
  }
  return found;
}

describe('dereferencing in place, then restoring', () => {
  /** The local walk's result on the document itself against the library's on a full copy; then the document after restore. */
  async function compare(document: Record<string, unknown>): Promise<void> {
    const before = structuredClone(document);
    const objects = objectsOf(document);
    const libraryParser = new SwaggerParser();
    const library = (await libraryParser.validate(structuredClone(document) as never, OPTIONS as never)) as unknown as Record<string, unknown>;
    const localParser = new LocalSwaggerParser();
    const local = (await localParser.validate(document as never, OPTIONS as never)) as unknown as Record<string, unknown>;
    expect(isDeepStrictEqual(local, library)).toBe(true);
    expect(localParser.$refs.circular).toBe(libraryParser.$refs.circular);
    expect(summary(openApiSchemaErrors(local))).toEqual(libraryErrors(library));
    localParser.restore();
    expect(isDeepStrictEqual(document, before)).toBe(true);
    const after = objectsOf(document);
    expect(after.length).toBe(objects.length);
    expect(after.every((node, i) => node === objects[i])).toBe(true);
  }

  it.each([...CASES, ...FAULTY, ['an operation used at two paths through a YAML alias', ALIASED] as [string, Record<string, unknown>]])(
    'checks as the library does on a full copy, and gives the document back as it was: %s',
    async (_name, document) => compare(document),
  );

  it('checks real documents as the library does on a full copy, and gives them back as they were', async () => {
    for (const document of [JSON.parse(new TextDecoder().decode(packaged('@octokit/openapi', 'generated/api.github.com.json'))), parseYaml(new TextDecoder().decode(fixture('shop-openapi.yaml')))]) {
      await compare(document as Record<string, unknown>);
    }
  });

  it('gives the document back as it was after a $ref to nothing', async () => {
    const document = doc({ '/a': get(ref('A')), '/b': get(ref('Nothing')) }, { A: { type: 'object', properties: { a: ref('A'), b: ref('B') } }, B: { type: 'string' } });
    const before = structuredClone(document);
    const parser = new LocalSwaggerParser();
    await expect(parser.validate(document as never, OPTIONS as never)).rejects.toThrow();
    parser.restore();
    expect(isDeepStrictEqual(document, before)).toBe(true);
  });
});
