import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidatorCache } from '../../controller/action-runtime/action-validators.ts';
import { buildArtifact, renderArtifactFiles, type Artifact, type BuildInput } from '../../controller/artifact/build-artifact.ts';
import { canonicalJson } from '../../controller/core/canonical-json.ts';
import { DEFAULT_DEPENDENCIES } from '../../controller/core/dependencies.ts';
import type { EntitySelection, SystemKind } from '../../controller/generated/manifests.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import type { Result } from '../../controller/generators/generator.ts';
import { GENERATORS } from '../../controller/generators/registry.ts';
import { createSpecModels, type SpecModels } from '../../controller/generators/spec-models.ts';
import { cachedBuild } from '../support/artifact-cache.ts';
import { GITHUB_DOCUMENT } from '../support/fidelity/fidelity-documents.ts';
import { fidelityInput } from '../support/fidelity/measure-fidelity.ts';
import { deepFreeze, fixture, integration, packaged, typeCheck } from './support.ts';

const require = createRequire(import.meta.url);
const examplesRoot = join(require.resolve('@readme/oas-examples/package.json'), '..');

/** Every JSON document of @readme/oas-examples: Petstore and friends in Swagger 2.0, OpenAPI 3.0 and 3.1. */
const oasExamples = ['2.0/json', '3.0/json', '3.1/json'].flatMap((dir) =>
  readdirSync(join(examplesRoot, dir)).filter((f) => f.endsWith('.json')).sort().map((f) => `${dir}/${f}`),
);

interface Case {
  name: string;
  system: SystemKind;
  /** What is generated: the specification's bytes, and the integration that selects everything of it. */
  input: () => BuildInput;
  /**
   * The first generation is kept on disk (test/support/artifact-cache.ts), by its input and the
   * generator's digest, for GitHub and Dataverse: the same input as declarations.test.ts and the
   * fidelity tests, so that a run builds each once, and a run after one that changed nothing under
   * controller/ builds neither. Every run still generates each of them again, from a frozen model,
   * and holds that to the first generation's bytes.
   */
  cached: boolean;
  /** Least number of actions expected: a generator that silently drops everything must fail. */
  minActions: number;
}

/** An integration named `real` that selects everything of the specification at `spec`. */
const real = (system: SystemKind, bytes: () => Uint8Array) => (): BuildInput => ({ integration: integration(system, 'spec', {}, 'real'), specBytes: bytes(), specPath: 'spec' });

const cases: Case[] = [
  { name: 'GitHub REST API (@octokit/openapi generated/api.github.com.json)', system: 'openapi', input: () => fidelityInput(GITHUB_DOCUMENT), cached: true, minActions: 1000 },
  {
    name: 'Microsoft Dataverse $metadata (dataverse-gen 2.0.15, fixture)',
    system: 'odata',
    input: () => ({ integration: integration('odata', 'dataverse.edmx', {}, 'same'), specBytes: fixture('dataverse-metadata.edmx.gz'), specPath: 'dataverse.edmx' }),
    cached: true,
    minActions: 5000,
  },
  { name: 'Swagger Petstore (@readme/oas-examples 3.0/json/petstore.json)', system: 'openapi', input: real('openapi', () => packaged('@readme/oas-examples', '3.0/json/petstore.json')), cached: false, minActions: 10 },
  { name: 'Swagger Petstore 2.0 (@readme/oas-examples 2.0/json/petstore.json)', system: 'openapi', input: real('openapi', () => packaged('@readme/oas-examples', '2.0/json/petstore.json')), cached: false, minActions: 10 },
];

/** The parsed specifications of this file: GitHub's is parsed once for the cases and the tests of its operations. */
const models: SpecModels = createSpecModels();

/**
 * Each case's specification parsed once, its model frozen so that generating from it cannot change
 * it, and generated twice from that one model: the second run must give the same catalog bytes.
 * Declarations are rendered (and type-checked) once: they are a function of the catalog alone.
 */
async function generateTwice(c: Case) {
  const input = c.input();
  const generator = GENERATORS[c.system]!;
  const model = await models.model(generator, input.specBytes, input.integration.spec.source);
  if (!model.ok) throw new Error(JSON.stringify(model.problems.slice(0, 3)));
  deepFreeze(model.value);
  const parsesBefore = models.parses;
  const first = c.cached ? await cachedBuild(input, models) : await buildArtifact(input, undefined, models);
  const name = input.integration.metadata.name;
  const second = generator.generate(model.value, { name, spec: input.integration.spec, specPath: input.specPath, dependencies: DEFAULT_DEPENDENCIES });
  return { first, second, parsesAfterModel: models.parses - parsesBefore };
}

describe.each(cases)('$name', (c) => {
  it('generates from a model it does not change, its declarations type-check, and a second run gives the same bytes', async () => {
    const { first, second, parsesAfterModel } = await generateTwice(c);
    if (!first.ok) throw new Error(JSON.stringify(first.problems.slice(0, 3)));
    if (!second.ok) throw new Error('second run failed');
    // The generation took the model parsed above, frozen, rather than parsing the specification again.
    expect(parsesAfterModel).toBe(0);
    expect(first.value.catalog.actions.length).toBeGreaterThanOrEqual(c.minActions);
    expect(typeCheck(first.value.declarations)).toEqual([]);
    expect(canonicalJson(second.value, 2)).toBe(renderArtifactFiles(first.value)['catalog.json']);
  }, 300_000);
});

/** Each document of @readme/oas-examples generated once, for every test that looks at it. */
const examples = new Map<string, Promise<Result<Artifact>>>();
function example(file: string): Promise<Result<Artifact>> {
  let built = examples.get(file);
  if (!built) {
    built = buildArtifact({ integration: integration('openapi', file, {}, 'example'), specBytes: packaged('@readme/oas-examples', file), specPath: file });
    examples.set(file, built);
  }
  return built;
}

describe('every document of @readme/oas-examples', () => {
  it.each(oasExamples)('%s generates with type-checking declarations, or is refused with a path', async (file) => {
    const result = await example(file);
    if (!result.ok) {
      // A document the generator cannot handle must say where, as a problem value.
      for (const p of result.problems) {
        expect(p.reason).toBe('SpecificationInvalid');
        expect(p.message.length).toBeGreaterThan(0);
      }
      return;
    }
    expect(typeCheck(result.value.declarations)).toEqual([]);
  }, 60_000);

  it('generates nearly all of them', async () => {
    let generated = 0;
    for (const file of oasExamples) {
      if ((await example(file)).ok) generated++;
    }
    expect(generated).toBeGreaterThanOrEqual(Math.floor(oasExamples.length * 0.9));
  }, 120_000);
});

describe("GitHub's description, operation by operation", () => {
  const github = (async () => {
    const bytes = GITHUB_DOCUMENT.bytes();
    // Through the registry, as the cases above parse it: the same model, parsed once.
    const model = (await models.model(GENERATORS.openapi!, bytes, {})) as Awaited<ReturnType<typeof openapiGenerator.parse>>;
    if (!model.ok) throw new Error(JSON.stringify(model.problems.slice(0, 3)));
    return { document: JSON.parse(new TextDecoder().decode(bytes)) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }>> }, model: model.value };
  })();
  const generate = async (selection: { entities?: EntitySelection[]; functions?: string[] }) => {
    const { model } = await github;
    const result = openapiGenerator.generate(model, { name: 'github', spec: integration('openapi', 'github.json', selection).spec, specPath: 'github.json', dependencies: DEFAULT_DEPENDENCIES });
    if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
    return result.value;
  };

  it('makes each of its operations one action, with a name of its own', async () => {
    const { document } = await github;
    const operations = Object.values(document.paths).flatMap((item) => ['get', 'put', 'post', 'patch', 'delete'].filter((m) => item[m] !== undefined));
    const catalog = await generate({});
    expect(new Set(catalog.actions.map((a) => a.name)).size).toBe(catalog.actions.length);
    expect(new Set(catalog.actions.map((a) => a.source)).size).toBe(operations.length);
    expect(catalog.actions).toHaveLength(operations.length);
  }, 120_000);

  it('takes GitHub’s own example bodies for CreateReposPull and CreateReposIssue, with assignees as logins', async () => {
    const { document } = await github;
    const catalog = await generate({ entities: [{ name: 'repos/pulls', operations: ['Create'] }, { name: 'repos/issues', operations: ['Create'] }], functions: [] });
    const validators = new ValidatorCache();
    const accepts = (name: string, input: unknown): boolean => validators.validators('github', catalog, catalog.actions.find((a) => a.name === name)!).input(input);
    for (const [name, path] of [['CreateReposPull', '/repos/{owner}/{repo}/pulls'], ['CreateReposIssue', '/repos/{owner}/{repo}/issues']] as const) {
      const examples = Object.values(document.paths[path]!.post!.requestBody!.content['application/json']!.examples ?? {});
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) expect(accepts(name, { owner: 'octocat', repo: 'hello-world', record: example.value })).toBe(true);
    }
    const record = (catalog.definitions.CreateReposIssueInput as { properties: { record: { properties: Record<string, unknown> } } }).properties.record;
    expect(record.properties.assignees).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(Object.keys(record.properties)).not.toContain('comments');
  }, 120_000);
});
