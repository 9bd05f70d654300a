import { describe, expect, it } from 'vitest';
import { generatorFor, GENERATORS } from '../../controller/generators/registry.ts';
import type { SystemKind } from '../../controller/generated/manifests.ts';
import { fixture, integration } from './support.ts';

/** One small specification per registered system: a registry entry without one fails here. */
const SAMPLES: Record<string, string> = { openapi: 'shop-openapi.yaml', odata: 'sales-v2.edmx' };

const registered = Object.entries(GENERATORS).map(([system, generator]) => ({ system: system as SystemKind, generator: generator! }));

describe.each(registered)('the $system generator keeps the generator contract', ({ system, generator }) => {
  const path = SAMPLES[system];
  const bytes = (): Uint8Array => fixture(path!);
  const input = (selection = {}) => ({ name: 'demo', spec: integration(system, path!, selection).spec, specBytes: bytes(), specPath: path!, dependencies: {} });

  it('has a sample specification, is registered under its own system, and has a semver version', () => {
    expect(path).toBeDefined();
    expect(generator.system).toBe(system);
    expect(generator.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(generator.runtime).not.toContain('sharepoint-utils');
  });

  it('describes entities with attributes and supported operations, and functions', async () => {
    const described = await generator.describe(bytes(), path!);
    if (!described.ok) throw new Error(JSON.stringify(described.problems));
    expect(described.value.entities.length).toBeGreaterThan(0);
    for (const entity of described.value.entities) {
      expect(entity.attributes.length).toBeGreaterThan(0);
      expect(entity.operations).toContain('Get');
      expect(entity.pointer).not.toBe('');
    }
    expect(described.value.functions.length).toBeGreaterThan(0);
  });

  it('generates every entity and function when nothing is selected, each action with schemas and a request', async () => {
    const generated = await generator.generate(input());
    if (!generated.ok) throw new Error(JSON.stringify(generated.problems));
    const catalog = generated.value;
    const described = await generator.describe(bytes(), path!);
    if (!described.ok) throw new Error('describe failed');
    expect(catalog.entities.map((e) => e.name)).toEqual(described.value.entities.map((e) => e.name).sort());
    expect(catalog.generator).toEqual({ system, version: generator.version });
    for (const action of catalog.actions) {
      for (const ref of [action.input.$ref, action.output.$ref].filter((r) => r !== undefined)) {
        expect(catalog.definitions[String(ref).replace('#/definitions/', '')]).toBeDefined();
      }
      expect(action.request.path.startsWith('/')).toBe(true);
    }
  });

  it('returns problems, never throws, for bytes that are no specification', async () => {
    for (const garbage of ['', '\u0000\u0001', 'just text', '{"a": [1, 2', '<x><y></x>']) {
      const described = await generator.describe(new TextEncoder().encode(garbage), 'broken');
      expect(described.ok).toBe(false);
      if (!described.ok) expect(described.problems[0]!.reason).toBe('SpecificationInvalid');
    }
    const invalidUtf8 = await generator.describe(new Uint8Array([0xc3, 0x28]), 'broken');
    expect(invalidUtf8.ok).toBe(false);
  });

  it('refuses an entity the specification does not have, naming the manifest field', async () => {
    const generated = await generator.generate(input({ entities: [{ name: 'NoSuchThing' }] }));
    expect(generated.ok).toBe(false);
    if (!generated.ok) expect(generated.problems).toEqual([expect.objectContaining({ reason: 'UnknownEntity', field: ['spec', 'entities', 0, 'name'] })]);
  });
});

describe('the registry', () => {
  it('gives an error value, not a generator, for postgresql', () => {
    expect(generatorFor('postgresql')).toEqual({ ok: false, message: 'no generator for system postgresql' });
    expect(generatorFor('openapi').ok).toBe(true);
  });
});
