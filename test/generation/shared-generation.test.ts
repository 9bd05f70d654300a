import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildArtifact, renderArtifactFiles, type Artifact, type ArtifactCache, type BuildInput } from '../../controller/artifact/build-artifact.ts';
import { contentHash } from '../../controller/artifact/content-hash.ts';
import { renderDeclarations } from '../../controller/artifact/declarations.ts';
import { computeRequirements } from '../../controller/artifact/dependencies.ts';
import { createDiskGenerationStore } from '../../controller/artifact/disk-generation-store.ts';
import { createGenerationCache } from '../../controller/artifact/generation-cache.ts';
import { PLACEHOLDER_NAME, shareable } from '../../controller/artifact/shared-generation.ts';
import { DEFAULT_DEPENDENCIES } from '../../controller/core/dependencies.ts';
import type { Integration } from '../../controller/generated/manifests.ts';
import { GENERATORS } from '../../controller/generators/registry.ts';
import { createSpecModels } from '../../controller/generators/spec-models.ts';
import { fixture, integration, ROOT } from './support.ts';

const EXAMPLES = join(ROOT, 'examples');

/** The example integrations as their files define them, each with its specification's bytes. */
const examples = ['crm', 'dataverse-accounts', 'sales-orders'].map((file) => {
  const manifest = parse(readFileSync(join(EXAMPLES, 'integrations', `${file}.yaml`), 'utf8')) as Integration;
  const specPath = manifest.spec.source.path!;
  return { manifest, specPath, specBytes: new Uint8Array(readFileSync(join(EXAMPLES, specPath))) };
});

/** Generation as it was before generations were shared: parse, generate for the name, render. The reference. */
async function generatedAlone(input: BuildInput): Promise<Artifact> {
  const generator = GENERATORS[input.integration.spec.system]!;
  const pins = { ...DEFAULT_DEPENDENCIES, ...input.pins };
  const requires = computeRequirements({ runtime: generator.runtime, authType: input.authType, pins });
  const identity = { system: generator.system, version: generator.version };
  const hash = contentHash({ integration: input.integration.metadata.name, generator: identity, specBytes: input.specBytes, spec: input.integration.spec, requires });
  const model = await generator.parse(input.specBytes, input.integration.spec.source);
  if (!model.ok) throw new Error(JSON.stringify(model.problems));
  const catalog = generator.generate(model.value, { name: input.integration.metadata.name, spec: input.integration.spec, specPath: input.specPath, dependencies: pins });
  if (!catalog.ok) throw new Error(JSON.stringify(catalog.problems));
  return { integration: input.integration.metadata.name, system: generator.system, generator: identity, hash, catalog: catalog.value, declarations: await renderDeclarations(catalog.value), requires };
}

function sharingCache(): ArtifactCache {
  return Object.assign(new Map<string, Artifact>(), { generations: createGenerationCache() });
}

function named(manifest: Integration, name: string): Integration {
  return { ...manifest, metadata: { ...manifest.metadata, name } };
}

async function built(input: BuildInput, cache: ArtifactCache): Promise<Artifact> {
  const result = await buildArtifact(input, cache, undefined);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

afterEach(() => vi.restoreAllMocks());

describe('generation shared by integrations that differ only in their names', () => {
  it.each(examples)('gives every integration sharing $specPath the bytes and hash of generating it alone, generating once', async ({ manifest, specPath, specBytes }) => {
    const generator = GENERATORS[manifest.spec.system]!;
    const generate = vi.spyOn(generator, 'generate');
    const cache = sharingCache();
    const names = [manifest.metadata.name, 'a', 'team-07-orders', 'x1-y2-z3', `${manifest.metadata.name}-copy`];
    for (const name of names) {
      const input: BuildInput = { integration: named(manifest, name), specBytes, specPath, pins: { 'integration-utils': '3.0.0' }, authType: 'basic' };
      const stamped = await built(input, cache);
      const alone = await generatedAlone(input);
      expect(stamped.hash).toBe(alone.hash);
      expect(renderArtifactFiles(stamped)).toEqual(renderArtifactFiles(alone));
      expect(stamped).toEqual(alone);
    }
    // One generation through the cache, and one per name for the reference.
    expect(cache.generations!.generated).toBe(1);
    expect(generate).toHaveBeenCalledTimes(1 + names.length);
  });

  it.each(examples)('gives the same bytes from a generation of $specPath kept on disk by an earlier run', async ({ manifest, specPath, specBytes }) => {
    const directory = await mkdtemp(join(tmpdir(), 'intctl-shared-'));
    try {
      const run = () => Object.assign(new Map<string, Artifact>(), { generations: createGenerationCache({ store: createDiskGenerationStore({ directory, maxBytes: 1 << 30 }) }) });
      const first = run();
      await built({ integration: manifest, specBytes, specPath }, first);
      const second = run();
      const input: BuildInput = { integration: named(manifest, 'from-disk'), specBytes, specPath };
      expect(renderArtifactFiles(await built(input, second))).toEqual(renderArtifactFiles(await generatedAlone(input)));
      expect([first.generations.generated, second.generations.generated]).toEqual([1, 0]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('is exact for any integration name', async () => {
    const { manifest, specPath, specBytes } = examples[0]!;
    const cache = sharingCache();
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    await fc.assert(
      fc.asyncProperty(label, async (name) => {
        const input: BuildInput = { integration: named(manifest, name), specBytes, specPath };
        expect(renderArtifactFiles(await built(input, cache))).toEqual(renderArtifactFiles(await generatedAlone(input)));
      }),
      { numRuns: 15 },
    );
    expect(cache.generations!.generated).toBe(1);
  });

  it('generates again for a different selection, requirement or specification, and alone for a name stamping is not exact for', async () => {
    const { manifest, specPath, specBytes } = examples[0]!;
    const cache = sharingCache();
    await built({ integration: manifest, specBytes, specPath }, cache);
    await built({ integration: { ...manifest, spec: { ...manifest.spec, functions: ['mergeCustomers'] } }, specBytes, specPath }, cache);
    await built({ integration: manifest, specBytes, specPath, authType: 'basic' }, cache);
    await built({ integration: manifest, specBytes: new TextEncoder().encode(new TextDecoder().decode(specBytes).replace('Northwind', 'Southwind')), specPath }, cache);
    expect(cache.generations!.generated).toBe(4);
    // Only the connection differs: shared.
    await built({ integration: { ...manifest, metadata: { name: 'other' }, spec: { ...manifest.spec, connection: 'other-api', environments: ['dev'] } }, specBytes, specPath }, cache);
    expect(cache.generations!.generated).toBe(4);

    const odd = { integration: integration('openapi', 'shop-openapi.yaml', {}, 'Shop_Orders */ x'), specBytes: fixture('shop-openapi.yaml'), specPath: 'shop-openapi.yaml' };
    expect(await built(odd, cache)).toEqual(await generatedAlone(odd));
    expect(cache.generations!.generated).toBe(4);
  });

  it('is refused when the placeholder shows up anywhere but where the name goes', async () => {
    const { manifest, specPath, specBytes } = examples[0]!;
    const alone = await generatedAlone({ integration: named(manifest, PLACEHOLDER_NAME), specBytes, specPath });
    expect(shareable(alone.catalog, alone.declarations)).toBeDefined();
    const described = { ...alone.catalog, specification: { ...alone.catalog.specification, title: PLACEHOLDER_NAME } };
    expect(shareable(described, alone.declarations)).toBeUndefined();
    expect(shareable(alone.catalog, `${alone.declarations}// ${PLACEHOLDER_NAME}\n`)).toBeUndefined();
    expect(shareable({ ...alone.catalog, integration: 'crm' }, alone.declarations)).toBeUndefined();
  });

  it('shares nothing when the generation fails: each integration gets its own problems', async () => {
    const { manifest, specPath, specBytes } = examples[0]!;
    const cache = sharingCache();
    const wrong = { ...manifest, spec: { ...manifest.spec, entities: [{ name: 'customers' }, { name: 'nonesuch' }] } };
    const result = await buildArtifact({ integration: wrong, specBytes, specPath }, cache, createSpecModels());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field)).toEqual([['spec', 'entities', 1, 'name']]);
  });
});
