import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildArtifact, renderArtifactFiles } from '../../controller/artifact/build-artifact.ts';
import type { EntitySelection, Operation } from '../../controller/generated/manifests.ts';
import { fixture, integration } from './support.ts';

/** Selections from the shop and SAP fixtures, each entity with a subset of what it supports. */
const SOURCES = [
  {
    system: 'openapi' as const,
    file: 'shop-openapi.yaml',
    entities: { products: { operations: ['Get', 'Search', 'Count', 'Create', 'Update'], attributes: ['name', 'category', 'price', 'id', 'status', 'parent'] }, orders: { operations: ['Get', 'Search', 'Delete'], attributes: ['id', 'lines'] } },
    functions: ['discontinueProduct', 'getHealth'],
  },
  {
    system: 'odata' as const,
    file: 'sales-v2.edmx',
    entities: { A_SalesOrder: { operations: ['Get', 'Search', 'Count', 'Create', 'Update'], attributes: ['SalesOrder', 'SoldToParty', 'TotalNetAmount', 'CreationDate'] }, A_SalesOrderItem: { operations: ['Get', 'Search', 'Create', 'Update', 'Delete'], attributes: ['SalesOrder', 'SalesOrderItem', 'Material', 'RequestedQuantity'] } },
    functions: ['GetOpenOrders', 'ReleaseSalesOrder'],
  },
];

const subset = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 1 });

const selection = fc.constantFrom(...SOURCES).chain((source) =>
  fc.record({
    source: fc.constant(source),
    entities: fc.uniqueArray(fc.constantFrom(...Object.keys(source.entities)), { minLength: 1, maxLength: 2 }).chain((names) =>
      fc.tuple(
        ...names.map((name) => {
          const e = source.entities[name as keyof typeof source.entities] as { operations: Operation[]; attributes: string[] };
          return fc.record({ name: fc.constant(name), operations: subset(e.operations), attributes: subset(e.attributes) });
        }),
      ),
    ),
    functions: subset(source.functions),
  }),
);

async function bytesOf(source: (typeof SOURCES)[number], entities: EntitySelection[], functions: string[]) {
  const result = await buildArtifact({ integration: integration(source.system, source.file, { entities, functions }), specBytes: fixture(source.file), specPath: source.file });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return { files: renderArtifactFiles(result.value), hash: result.value.hash };
}

describe('generation is deterministic', () => {
  it('gives the same bytes and hash twice, and whatever order the manifest lists entities, operations, attributes and functions in', async () => {
    await fc.assert(
      fc.asyncProperty(selection, fc.infiniteStream(fc.integer()), async ({ source, entities, functions }, seeds) => {
        const once = await bytesOf(source, entities, functions);
        const twice = await bytesOf(source, entities, functions);
        expect(twice).toEqual(once);
        const shuffle = <T>(items: readonly T[]): T[] => {
          const out = [...items];
          for (let i = out.length - 1; i > 0; i--) {
            const j = Math.abs(seeds.next().value as number) % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const reordered = shuffle(entities).map((e) => ({ name: e.name, operations: shuffle(e.operations ?? []), attributes: shuffle(e.attributes ?? []) }));
        const other = await bytesOf(source, reordered, shuffle(functions));
        expect(other).toEqual(once);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('gives another hash when the selection changes', async () => {
    const source = SOURCES[0]!;
    const a = await bytesOf(source, [{ name: 'products', operations: ['Get'] }], []);
    const b = await bytesOf(source, [{ name: 'products', operations: ['Get', 'Search'] }], []);
    expect(b.hash).not.toBe(a.hash);
  });
});
