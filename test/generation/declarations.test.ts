import type { JSONSchema } from 'json-schema-to-typescript';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildArtifact, type BuildInput } from '../../controller/artifact/build-artifact.ts';
import { declarationsText, declaredDefinitions, type RenderPaths, renderDeclarations } from '../../controller/artifact/declarations.ts';
import type { ActionCatalog, JsonSchema } from '../../controller/core/catalog.ts';
import { canonicalJson } from '../../controller/core/canonical-json.ts';
import type { SystemKind } from '../../controller/generated/manifests.ts';
import { cachedBuild } from '../support/artifact-cache.ts';
import { GITHUB_DOCUMENT, oasExamples } from '../support/fidelity/fidelity-documents.ts';
import { fidelityInput } from '../support/fidelity/measure-fidelity.ts';
import { deepFreeze, fixture, integration } from './support.ts';

/**
 * The declarations are json-schema-to-typescript's text: renderDeclarations runs the library's
 * stages itself (without its deep copy, and without its dereference when nothing is left to
 * dereference), so it is held here to the library's own `compile`, batch by batch, as the
 * declarations were made before: the same bytes for every catalog. The library is loaded by the
 * first renderDeclarations of the file (each test renders before it compiles), as in a process
 * that renders declarations, so that what renderDeclarations does with its caches is tested.
 */
async function withCompile(catalog: ActionCatalog): Promise<string> {
  const { compile } = await import('json-schema-to-typescript');
  const definitions = declaredDefinitions(catalog);
  const names = Object.keys(definitions).sort();
  const chunks: string[] = [];
  for (let i = 0; i < names.length; i += 200) {
    const batch: Record<string, JsonSchema> = {};
    for (const name of names.slice(i, i + 200)) batch[name] = { ...(refsToTypes(definitions[name]) as JsonSchema), title: name };
    const schema = JSON.parse(canonicalJson({ title: 'Unused', type: 'object', properties: {}, additionalProperties: false, definitions: batch })) as JSONSchema;
    const text = await compile(schema, 'Unused', {
      bannerComment: '', format: false, additionalProperties: false, unreachableDefinitions: true, declareExternallyReferenced: true,
      ignoreMinAndMaxItems: true, strictIndexSignatures: true, $refOptions: { resolve: { external: false, file: false, http: false } } as never,
    });
    chunks.push(
      text
        .replace(/^export interface Unused \{\s*\}\n?/m, '')
        .replace(/\/\*\*\n \* This (?:interface|type) was referenced by `Unused`'s JSON-Schema\n \* via the `definition` "[^"\n]*"\.\n \*\/\n/g, '')
        .replace(/ \* ?\n \* This (?:interface|type) was referenced by `Unused`'s JSON-Schema\n \* via the `definition` "[^"\n]*"\.\n/g, '')
        .trim(),
    );
  }
  return declarationsText(catalog, chunks);
}

function refsToTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(refsToTypes);
  if (node === null || typeof node !== 'object') return node;
  let record = node as Record<string, unknown>;
  if (record.properties && typeof record.additionalProperties === 'object' && record.additionalProperties !== null) record = { ...record, additionalProperties: true };
  if (typeof record.$ref === 'string' && record.$ref.startsWith('#/definitions/')) {
    const { $ref, ...rest } = record;
    return { ...(refsToTypes(rest) as object), tsType: $ref.slice('#/definitions/'.length) };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = key === 'enum' || key === 'const' || key === 'default' ? value : refsToTypes(value);
  return out;
}

async function catalogOf(system: SystemKind, file: string, bytes: Uint8Array): Promise<ActionCatalog> {
  const result = await buildArtifact({ integration: integration(system, file, {}, 'same'), specBytes: bytes, specPath: file });
  if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
  return result.value.catalog;
}

/**
 * The catalogs of GitHub's description and Dataverse's metadata, generated once for this file and
 * the others that read them (test/support/artifact-cache.ts; real-specifications.test.ts tests
 * their generation), frozen so that no test can change what the next one reads.
 */
const largeCatalogs = new Map<string, Promise<ActionCatalog>>();
function largeCatalog(which: 'github' | 'dataverse'): Promise<ActionCatalog> {
  let catalog = largeCatalogs.get(which);
  if (!catalog) {
    const input: BuildInput =
      which === 'github'
        ? fidelityInput(GITHUB_DOCUMENT)
        : { integration: integration('odata', 'dataverse.edmx', {}, 'same'), specBytes: fixture('dataverse-metadata.edmx.gz'), specPath: 'dataverse.edmx' };
    catalog = cachedBuild(input).then((result) => {
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
      return deepFreeze(result.value.catalog);
    });
    largeCatalogs.set(which, catalog);
  }
  return catalog;
}

/** A catalog with what the library treats specially: $refs it must still dereference, $refs in values, odd keys and numbers. */
function oddCatalog(): ActionCatalog {
  const definitions: Record<string, JsonSchema> = {
    Pet: { type: 'object', title: 'Animal', description: 'A pet */ with a comment end', properties: { id: { type: 'integer', minimum: -0 }, tags: { type: 'array', items: { $ref: '#/definitions/Tag' }, minItems: 1, maxItems: 3 }, 'kind-of': { enum: ['cat', 'dog', null], type: ['string', 'null'] } }, required: ['id'], additionalProperties: { type: 'string' } },
    Tag: { type: 'object', properties: { name: { type: 'string', default: { $ref: '#/definitions/Pet' } }, self: { $ref: '#/definitions/Tag', description: 'recursive' } }, additionalProperties: false },
    Pointer: { type: 'object', properties: { inner: { $ref: '#/definitions/Pet/properties/id' }, root: { $ref: '#' }, listed: { enum: [{ $ref: '#/definitions/Tag' }] }, const: { const: { b: 1, a: [1, undefined] } } } },
    Alias: { $ref: '#/definitions/Pet' },
    Shapes: {
      type: 'object',
      properties: {
        fixed: { const: { inner: { type: 'object', description: 'a */ b', const: 1, items: { type: ['null'], enum: [null] } } } },
        typed: { id: 'Named', type: ['object'], properties: { a: { type: 'string' } }, extends: [] },
        mixed: { type: ['string', 'object'], allOf: [{ properties: { b: { type: 'integer' } } }], title: 'Mixed', description: 'hoisted' },
        required: { type: 'object', required: false, properties: { c: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 } } },
      },
    },
    Either: { anyOf: [{ $ref: '#/definitions/Pet' }, { $ref: '#/definitions/Tag' }, { type: 'null' }], examples: [{ $ref: '#/definitions/Tag' }] },
    Both: { allOf: [{ $ref: '#/definitions/Pet' }, { type: 'object', properties: { extra: { type: 'boolean', deprecated: true } } }] },
  };
  for (let i = 0; i < 450; i++) definitions[`Many${i}`] = { type: 'object', title: i % 7 === 0 ? 'Repeated' : undefined, properties: { n: { type: 'number', description: `number ${i}` }, next: { $ref: `#/definitions/Many${(i + 1) % 450}` } } };
  const schema = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
  return {
    integration: 'odd',
    generator: { system: 'openapi', version: '0.0.0' },
    specification: { path: 'odd.json', format: 'OpenAPI 3.0.3' },
    entities: [],
    actions: [
      { name: 'GetPet', summary: 'Reads a pet', input: schema('Pet'), output: schema('Either') },
      { name: 'ListMany', input: { type: 'object', properties: {} }, output: { type: 'array', items: schema('Many0') } },
    ],
    definitions,
  } as unknown as ActionCatalog;
}

/** A catalog without a `$ref` left for the library, with definitions of several types (named from their definition, not their title). */
function plainCatalog(): ActionCatalog {
  const definitions: Record<string, JsonSchema> = {
    Multi: { type: ['string', 'object'], properties: { a: { type: 'string' } }, description: 'either' },
    Stringy: { type: 'string', anyOf: [{ minLength: 1 }, { enum: ['x'] }], description: 'two types' },
    Listy: { type: 'array', items: { type: 'string' }, oneOf: [{ maxItems: 1 }, { minItems: 3 }] },
    Nullable: { type: ['object', 'null'], properties: { b: { type: 'integer' } } },
    Plain: { type: 'object', properties: { m: { $ref: '#/definitions/Multi' }, n: { $ref: '#/definitions/Nullable' } } },
  };
  return {
    integration: 'plain',
    generator: { system: 'openapi', version: '0.0.0' },
    specification: { path: 'plain.json', format: 'OpenAPI 3.0.3' },
    entities: [],
    actions: [{ name: 'GetPlain', input: { type: 'object', properties: {} }, output: { $ref: '#/definitions/Plain' } }],
    definitions,
  } as unknown as ActionCatalog;
}

describe('declarations are the text json-schema-to-typescript compiles', () => {
  it('for a catalog with definitions of several types and no $ref left to dereference', async () => {
    const catalog = plainCatalog();
    expect(await renderDeclarations(catalog)).toBe(await withCompile(catalog));
  });

  it('for a catalog of the cases the library treats specially, over more than one batch', async () => {
    const catalog = oddCatalog();
    expect(await renderDeclarations(catalog)).toBe(await withCompile(catalog));
  });

  it.each([
    ['openapi', 'shop-openapi.yaml'],
    ['odata', 'sales-v2.edmx'],
    ['odata', 'crm-v4.edmx'],
  ] as const)('for the %s fixture %s', async (system, file) => {
    const catalog = await catalogOf(system, file, fixture(file));
    expect(await renderDeclarations(catalog)).toBe(await withCompile(catalog));
  });

  // Each document generated as the fidelity measurement generates it (an integration that selects
  // everything), kept by test/support/artifact-cache.ts: fidelity.test.ts generates the same ones.
  it('for every document of @readme/oas-examples that generates', async () => {
    let compared = 0;
    for (const document of oasExamples()) {
      const result = await cachedBuild(fidelityInput(document));
      if (!result.ok) continue;
      expect(await renderDeclarations(result.value.catalog), document.name).toBe(await withCompile(result.value.catalog));
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  }, 120_000);

  it("for GitHub's description", async () => {
    const catalog = await largeCatalog('github');
    expect(await renderDeclarations(catalog)).toBe(await withCompile(catalog));
  }, 300_000);
});

/** A catalog of these definitions alone (its Actions type has no member). */
function catalogWith(definitions: Record<string, unknown>): ActionCatalog {
  return {
    integration: 'rules',
    generator: { system: 'openapi', version: '0.0.0' },
    specification: { path: 'rules.json', format: 'OpenAPI 3.0.3' },
    entities: [],
    actions: [],
    definitions,
  } as unknown as ActionCatalog;
}

/** renderDeclarations, with how many definitions went through intctl's own renderer and the library's. */
async function rendered(catalog: ActionCatalog): Promise<{ text: string; paths: RenderPaths }> {
  const paths = { own: 0, library: 0 };
  return { text: await renderDeclarations(catalog, paths), paths };
}

/**
 * intctl's own renderer (declarations-render.ts), rule by rule: each case is in the subset it
 * knows, so it must render all of it (no definition left to the library) and give the library's
 * text. The cases follow the rules of the library it reproduces.
 */
const RULES: Array<[string, Record<string, unknown>]> = [
  ['primitive types, formats and constraints', { S: { type: 'string', format: 'date-time', maxLength: 3, pattern: 'x' }, I: { type: 'integer', minimum: 0 }, N: { type: 'number' }, B: { type: 'boolean' }, Z: { type: 'null' } }],
  ['types from a default alone', { S: { default: 'x' }, N: { default: 1 }, B: { default: false }, O: { default: { a: 1 } } }],
  ['nullable types, union order as the type list gives it', { A: { type: ['string', 'null'] }, B: { type: ['null', 'integer', 'boolean'] }, C: { type: ['string', 'number', 'boolean', 'null', 'array'] }, D: { type: ['array', 'null'], items: { type: 'string' } } }],
  ['nullable objects and a union of object and string', { A: { type: ['object', 'null'], properties: { b: { type: 'integer' } } }, M: { type: ['string', 'object'], properties: { a: { type: 'string' } }, description: 'either' } }],
  ['enums of strings, numbers, null, and const', { E: { type: 'string', enum: ['a', 'b"c', 'd*/e'] }, F: { enum: [1, 2.5, -3, true, null] }, G: { type: ['string', 'null'], enum: ['x', null] }, K: { const: 'only' }, L: { type: 'object', properties: { k: { const: 3 } } } }],
  ['titles and descriptions into JSDoc, comment ends escaped, @deprecated', { T: { type: 'object', description: 'Line one\nline two */ end', properties: { a: { type: 'string', description: 'first */', deprecated: true }, b: { type: 'integer', deprecated: false }, c: { deprecated: true, type: 'boolean' } } }, D: { type: 'string', deprecated: true }, E: { type: 'string', description: '' } }],
  ['required members and odd member names', { R: { type: 'object', properties: { 'a-b': { type: 'string' }, '0x': { type: 'string' }, $ok: { type: 'string' }, 'with space': { type: 'string' }, ok: { type: 'string' } }, required: ['ok', 'a-b', 'missing'] }, F: { type: 'object', properties: { a: { type: 'string' } }, required: false } }],
  ['index signatures: none, unknown, typed', { A: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, B: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: true }, C: { type: 'object', additionalProperties: { type: 'integer' } }, D: { type: 'object', additionalProperties: { type: ['string', 'null'] } }, E: { type: 'object' }, F: { description: 'no type' }, G: {} }],
  ['arrays: typed, untyped, of unions and literals, with minItems and maxItems', { A: { type: 'array', items: { type: 'string' } }, B: { type: 'array' }, C: { type: 'array', items: { enum: ['x', 'y'] } }, D: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, description: 'bounded' }, E: { items: { type: 'integer' }, minItems: 2 }, F: { type: 'array', items: { type: 'array', items: { type: ['integer', 'null'] } } } }],
  ['allOf, anyOf and oneOf, alone and with a type (an intersection of its types)', { A: { allOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'string' } } }] }, B: { anyOf: [{ type: 'string' }, { type: 'null' }] }, C: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 10 }] }, D: { type: 'string', anyOf: [{ minLength: 1 }, { enum: ['x'] }], description: 'two types' }, E: { type: ['string', 'null'], anyOf: [{ type: 'string' }], title: 'Titled' }, F: { type: 'object', allOf: [{ properties: { a: { type: 'string' } } }], properties: { b: { type: 'integer' } } } }],
  ['unions that collapse: duplicates, a named member, an unknown member', { A: { anyOf: [{ type: 'string' }, { type: 'string' }, { type: 'integer' }] }, B: { anyOf: [{ type: 'string', title: 'Named' }, { type: 'string' }] }, C: { anyOf: [{}, { type: 'string' }] }, D: { oneOf: [{ tsType: 'A' }, { tsType: 'A' }] } }],
  ['tsType references (what $refs become), with descriptions', { A: { type: 'object', properties: { b: { tsType: 'B', description: 'see B' }, c: { type: 'array', items: { tsType: 'B' } } } }, B: { type: 'string' }, C: { tsType: 'A' } }],
  ['named sub-types and the numbering of names that meet', { Foo: { type: 'object', properties: { a: { type: 'object', title: 'Foo', properties: { x: { type: 'string' } } }, b: { type: 'string', title: 'foo_bar' }, c: { enum: [1], title: 'FooBar' } } }, foo_bar: { type: 'integer' }, Unused: { type: 'string' }, 'Odd name-1': { type: 'string' }, Ünïcode: { type: 'boolean' } }],
  ['what the library walks and does not render (if, then, examples, extensions)', { A: { type: 'object', properties: { v: { type: 'string' } }, allOf: [{ if: { properties: { k: { const: 'x' } }, required: ['k'] }, then: { properties: { v: { items: { type: 'string' }, maxItems: 2 } } } }], examples: [{ v: 'a' }], 'x-note': { any: ['thing'] } } }],
];

describe("intctl's own declaration renderer", () => {
  it.each(RULES)('renders %s as the library does, without the library', async (_, definitions) => {
    const catalog = catalogWith(definitions);
    const { text, paths } = await rendered(catalog);
    expect(paths).toEqual({ own: Object.keys(definitions).length + 1, library: 0 });
    expect(text).toBe(await withCompile(catalog));
  });

  it.each([
    ['a $ref the library must dereference', { A: { type: 'object', properties: { b: { $ref: '#' } } }, B: { type: 'object', properties: { x: { type: 'string' } } } }],
    ['an enum of objects (the library rewrites descriptions inside them)', { A: { enum: [{ description: 'a */ b' }] } }],
    ['a tuple', { A: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] } }],
    ['patternProperties', { A: { type: 'object', patternProperties: { '^x': { type: 'string' } } } }],
    ['an $id', { A: { $id: 'Other', type: 'object', properties: { a: { type: 'string' } } } }],
    ['a boolean schema', { A: { type: 'object', properties: { a: true } } }],
  ] as Array<[string, Record<string, unknown>]>)('leaves a batch with %s to the library, with the same text', async (_, definitions) => {
    const catalog = catalogWith(definitions);
    const { text, paths } = await rendered(catalog);
    expect(paths).toEqual({ own: 0, library: Object.keys(definitions).length + 1 });
    expect(text).toBe(await withCompile(catalog));
  });

  it('renders random schemas of the subset as the library does', async () => {
    const names = ['Alpha', 'alpha', 'Beta_x', 'BetaX', 'Unused', 'Gamma'];
    const word = fc.constantFrom('a', 'b', 'a-b', '0x', 'ok', 'with space', 'Alpha');
    const text = fc.oneof(fc.constantFrom('plain', 'two\nlines', 'ends */ here', '', 'quote "x"'), fc.string({ maxLength: 6 }));
    const primitive = fc.oneof(fc.constantFrom('x', 'y', '', 0, 1, -2.5, true, false, null), fc.string({ maxLength: 3 }));
    const typeName = fc.constantFrom('string', 'integer', 'number', 'boolean', 'null', 'object', 'array');
    const decorations = fc.record(
      { description: text, deprecated: fc.boolean(), title: fc.constantFrom(...names, 'Named', 'named'), format: fc.constantFrom('int64', 'date-time'), default: primitive },
      { requiredKeys: [] },
    );
    const { schema } = fc.letrec<{ schema: Record<string, unknown>; node: Record<string, unknown> }>((tie) => ({
      schema: fc.tuple(tie('node'), decorations).map(([node, extra]) => ({ ...extra, ...node })),
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ type: typeName }),
        fc.record({ type: fc.uniqueArray(typeName, { minLength: 1, maxLength: 3 }) }),
        fc.record({ enum: fc.array(primitive, { minLength: 1, maxLength: 3 }), type: fc.constantFrom(undefined, 'string', ['string', 'null']) }, { requiredKeys: ['enum'] }),
        fc.record({ const: primitive }),
        fc.record({ tsType: fc.constantFrom(...names) }),
        fc.constant({}),
        fc.record(
          { type: fc.constantFrom('object', ['object', 'null'], undefined), properties: fc.dictionary(word, tie('schema'), { maxKeys: 3 }), required: fc.array(word, { maxLength: 2 }), additionalProperties: fc.oneof(fc.boolean(), tie('schema')) },
          { requiredKeys: ['properties'] },
        ),
        fc.record({ type: fc.constantFrom('array', ['array', 'null'], undefined), items: tie('schema'), minItems: fc.nat(2), maxItems: fc.integer({ min: 2, max: 4 }) }, { requiredKeys: ['items'] }),
        fc.record({ anyOf: fc.array(tie('schema'), { maxLength: 3 }), type: fc.constantFrom(undefined, 'string', ['string', 'null']) }, { requiredKeys: ['anyOf'] }),
        fc.record({ oneOf: fc.array(tie('schema'), { maxLength: 3 }) }),
        fc.record({ allOf: fc.array(tie('schema'), { maxLength: 3 }), type: fc.constantFrom(undefined, 'object') }, { requiredKeys: ['allOf'] }),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), schema, { minKeys: 1, maxKeys: 4 }), async (definitions) => {
        const catalog = catalogWith(definitions);
        const { text, paths } = await rendered(catalog);
        expect(paths.library).toBe(0);
        expect(text).toBe(await withCompile(catalog));
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  // A silent fall-back to the library would keep the bytes and lose the speed: these count it.
  it("renders every definition of GitHub's description itself", async () => {
    const catalog = await largeCatalog('github');
    const { paths } = await rendered(catalog);
    expect(paths).toEqual({ own: Object.keys(catalog.definitions).length + 1, library: 0 });
  }, 120_000);

  it("renders every definition of Dataverse's $metadata itself", async () => {
    const catalog = await largeCatalog('dataverse');
    const { paths } = await rendered(catalog);
    expect(paths).toEqual({ own: Object.keys(catalog.definitions).length + 1, library: 0 });
  }, 300_000);
});
