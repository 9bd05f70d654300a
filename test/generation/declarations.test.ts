import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { JSONSchema } from 'json-schema-to-typescript';
import { describe, expect, it } from 'vitest';
import { buildArtifact } from '../../controller/artifact/build-artifact.ts';
import { declarationsText, declaredDefinitions, renderDeclarations } from '../../controller/artifact/declarations.ts';
import type { ActionCatalog, JsonSchema } from '../../controller/core/catalog.ts';
import { canonicalJson } from '../../controller/core/canonical-json.ts';
import type { SystemKind } from '../../controller/generated/manifests.ts';
import { fixture, integration, packaged } from './support.ts';

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

const require = createRequire(import.meta.url);
const examplesRoot = join(require.resolve('@readme/oas-examples/package.json'), '..');
const oasExamples = ['2.0/json', '3.0/json', '3.1/json'].flatMap((dir) => readdirSync(join(examplesRoot, dir)).filter((f) => f.endsWith('.json')).sort().map((f) => `${dir}/${f}`));

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

  it('for every document of @readme/oas-examples that generates', async () => {
    let compared = 0;
    for (const file of oasExamples) {
      const result = await buildArtifact({ integration: integration('openapi', file, {}, 'example'), specBytes: packaged('@readme/oas-examples', file), specPath: file });
      if (!result.ok) continue;
      expect(await renderDeclarations(result.value.catalog), file).toBe(await withCompile(result.value.catalog));
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  }, 120_000);

  it("for GitHub's description", async () => {
    const catalog = await catalogOf('openapi', 'github.json', packaged('@octokit/openapi', 'generated/api.github.com.json'));
    expect(await renderDeclarations(catalog)).toBe(await withCompile(catalog));
  }, 300_000);
});
