import { describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import { canonicalJson } from '../../controller/core/canonical-json.ts';
import type { GenerateInput } from '../../controller/generators/generator.ts';
import { generatorFor, GENERATORS } from '../../controller/generators/registry.ts';
import type { SystemKind } from '../../controller/generated/manifests.ts';
import { deepFreeze, fingerprint, fixture, integration, objectsIn } from './support.ts';

/**
 * One small specification per registered system, and a selection from it: a registry entry
 * without them fails here. `functions: false`: the system has none (a database's tables are all
 * it offers), so its sample has none either.
 */
const SAMPLES: Record<string, { file: string; entity: string; functions?: false }> = {
  openapi: { file: 'shop-openapi.yaml', entity: 'products' },
  odata: { file: 'sales-v2.edmx', entity: 'A_SalesOrder' },
  postgresql: { file: 'shop-postgresql.schema.json', entity: 'orders', functions: false },
  mysql: { file: 'shop-mysql.schema.json', entity: 'orders', functions: false },
};

const registered = Object.entries(GENERATORS).map(([system, generator]) => ({ system: system as SystemKind, generator: generator! }));

describe.each(registered)('the $system generator keeps the generator contract', ({ system, generator }) => {
  const sample = SAMPLES[system];
  const path = sample?.file ?? '';
  const bytes = (): Uint8Array => fixture(path);
  const input = (selection = {}): GenerateInput => ({ name: 'demo', spec: integration(system, path, selection).spec, specPath: path, dependencies: {} });
  const parsed = async (): Promise<unknown> => {
    const model = await generator.parse(bytes(), {});
    if (!model.ok) throw new Error(JSON.stringify(model.problems));
    return model.value;
  };
  const generated = (model: unknown, selection = {}): ActionCatalog => {
    const catalog = generator.generate(model, input(selection));
    if (!catalog.ok) throw new Error(JSON.stringify(catalog.problems));
    return catalog.value;
  };

  it('has a sample specification, is registered under its own system, and has a semver version', () => {
    expect(sample).toBeDefined();
    expect(generator.system).toBe(system);
    expect(generator.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(generator.runtime).not.toContain('sharepoint-utils');
  });

  it('parses a model that describes entities with attributes and supported operations, and functions', async () => {
    const described = generator.describe(await parsed());
    expect(described.entities.length).toBeGreaterThan(0);
    for (const entity of described.entities) {
      expect(entity.attributes.length).toBeGreaterThan(0);
      expect(entity.operations).toContain('Get');
      expect(entity.pointer).not.toBe('');
    }
    if (sample?.functions === false) expect(described.functions).toEqual([]);
    else expect(described.functions.length).toBeGreaterThan(0);
  });

  it('generates, with nothing selected, every entity, operation and function describe(model) offers, each action with schemas and a request', async () => {
    const model = await parsed();
    const described = generator.describe(model);
    const catalog = generated(model);
    expect(catalog.entities.map((e) => [e.name, e.source])).toEqual(described.entities.map((e) => [e.name, e.pointer]).sort());
    for (const entity of described.entities) {
      const kinds = catalog.actions.filter((a) => a.entity === entity.name).map((a) => a.kind);
      expect(kinds.sort()).toEqual([...entity.operations].sort());
    }
    expect(catalog.actions.filter((a) => a.kind === 'Function').map((a) => a.function).sort()).toEqual(described.functions.map((f) => f.name).sort());
    expect(catalog.generator).toEqual({ system, version: generator.version });
    for (const action of catalog.actions) {
      for (const ref of [action.input.$ref, action.output.$ref].filter((r) => r !== undefined)) {
        expect(catalog.definitions[String(ref).replace('#/definitions/', '')]).toBeDefined();
      }
      expect(action.request.path.startsWith('/')).toBe(true);
    }
  });

  it('never changes a model, nor hands out a part of it: a model is shared by every integration that uses it', async () => {
    const model = deepFreeze(await parsed());
    const before = fingerprint(model);
    const selected = { entities: [{ name: sample!.entity, operations: ['Get' as const], attributes: generator.describe(model).entities.find((e) => e.name === sample!.entity)!.attributes.slice(0, 2) }] };
    const all = generated(model);
    const some = generated(model, selected);
    const again = generated(model);
    expect(fingerprint(model)).toBe(before);
    expect(canonicalJson(again)).toBe(canonicalJson(all));
    expect(some.entities.map((e) => e.name)).toEqual([sample!.entity]);
    const parts = objectsIn(model);
    for (const output of [all, some, generator.describe(model)]) {
      expect([...objectsIn(output)].filter((o) => parts.has(o))).toEqual([]);
    }
  });

  it('returns problems, never throws, for bytes that are no specification', async () => {
    for (const garbage of ['', '\u0000\u0001', 'just text', '{"a": [1, 2', '<x><y></x>']) {
      const model = await generator.parse(new TextEncoder().encode(garbage), {});
      expect(model.ok).toBe(false);
      if (!model.ok) expect(model.problems[0]!.reason).toBe('SpecificationInvalid');
    }
    const invalidUtf8 = await generator.parse(new Uint8Array([0xc3, 0x28]), {});
    expect(invalidUtf8.ok).toBe(false);
  });

  it('finds no faults in its sample specification, and generates it without warnings', async () => {
    const model = await parsed();
    expect(generator.faults?.(model, input().spec) ?? []).toEqual([]);
    const catalog = generator.generate(model, input());
    expect(catalog.ok && catalog.warnings).toBeUndefined();
  });

  it('refuses an entity the specification does not have, naming the manifest field', async () => {
    const catalog = generator.generate(await parsed(), input({ entities: [{ name: 'NoSuchThing' }] }));
    expect(catalog.ok).toBe(false);
    if (!catalog.ok) expect(catalog.problems).toEqual([expect.objectContaining({ reason: 'UnknownEntity', field: ['spec', 'entities', 0, 'name'] })]);
  });
});

describe('the registry', () => {
  it('gives an error value, not a generator, for a system it has none for', () => {
    expect(generatorFor('cobol' as SystemKind)).toEqual({ ok: false, message: 'no generator for system cobol' });
    expect(generatorFor('openapi')).toEqual({ ok: true, generator: GENERATORS.openapi });
    expect(generatorFor('mysql')).toEqual({ ok: true, generator: GENERATORS.mysql });
  });
});
