import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArtifact } from '../../controller/artifact/build-artifact.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { loadManifests } from '../../controller/load/load-manifests.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { validateSelections } from '../../controller/validate/validate-selections.ts';
import { runCli } from '../helpers/cli.ts';
import { integration } from './support.ts';

/** A vendor's document: pets work; GET /report is broken in the way `fault` says. */
function vendor(fault: string, components = ''): string {
  return `openapi: 3.0.3
info: { title: Vendor API, version: '1' }
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { type: array, items: { $ref: '#/components/schemas/Pet' } }
  /pets/{petId}:
    parameters: [{ name: petId, in: path, required: true, schema: { type: string } }]
    get:
      operationId: getPet
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Pet' } } } }
  /report:
    get:
      operationId: getReport
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: ${fault}
components:
  schemas:
    Pet: { type: object, properties: { id: { type: string }, name: { type: string } } }
${components}`;
}

const REPORT_SCHEMA = '/paths/~1report/get/responses/200/content/application~1json/schema';

const FAULTS: Array<[string, string, string, string, RegExp]> = [
  ['a schema of the wrong type', vendor("'a string'"), REPORT_SCHEMA, 'SpecificationInvalid', /must be object/],
  ['a $ref to nothing', vendor("{ $ref: '#/components/schemas/Nothing' }"), `${REPORT_SCHEMA}/$ref`, 'SpecificationInvalid', /\$ref #\/components\/schemas\/Nothing points at nothing in the document/],
  ['a broken component only it uses', vendor("{ $ref: '#/components/schemas/Report' }", '    Report: { type: object, properties: 5 }'), '/components/schemas/Report/properties', 'SpecificationInvalid', /must be object/],
];

const pets = { entities: [{ name: 'pets' }], functions: [] };

async function build(text: string, selection: { entities?: { name: string }[]; functions?: string[] }) {
  return buildArtifact({ integration: integration('openapi', 'vendor.yaml', selection, 'vendor'), specBytes: new TextEncoder().encode(text), specPath: 'vendor.yaml' });
}

describe('a fault of the document outside the selection', () => {
  it.each(FAULTS)('%s is a located warning, and the selected actions are generated', async (_name, text, pointer, _reason, message) => {
    const built = await build(text, pets);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value.catalog.actions.map((a) => a.name)).toEqual(['GetPet', 'SearchPets']);
    expect(built.warnings).toEqual([expect.objectContaining({ reason: 'SpecificationFaultOutsideSelection', severity: 'warning', pointer, message: expect.stringMatching(message) })]);
    expect(built.value.warnings).toEqual(built.warnings);
  });

  it('gives the same catalog and hash as the same selection of a document without the fault', async () => {
    const broken = await build(FAULTS[0]![1], pets);
    const fixed = await build(vendor('{ type: object }'), pets);
    if (!broken.ok || !fixed.ok) throw new Error('not generated');
    expect(broken.value.catalog).toEqual(fixed.value.catalog);
    expect(fixed.warnings).toBeUndefined();
  });
});

describe('the same fault inside the selection', () => {
  it.each(FAULTS)('%s is a located error, and nothing is generated', async (_name, text, pointer, reason, message) => {
    const built = await build(text, { functions: ['getReport'] });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems).toEqual([expect.objectContaining({ reason, pointer, message: expect.stringMatching(message) })]);
    expect(built.problems[0]!.severity).toBeUndefined();
  });
});

describe('an operation broken in its structure, not only its schemas', () => {
  const report = (operation: string): string => vendor('{ type: object }').replace(/ {2}\/report:\n[\s\S]*?\ncomponents:/, `  /report:\n${operation}\ncomponents:`);
  it.each([
    ['responses that are not an object', "    get: { operationId: getReport, responses: 5 }", '/paths/~1report/get/responses'],
    ['parameters that are not a list', "    get: { operationId: getReport, parameters: 5, responses: { '200': { description: ok } } }", '/paths/~1report/get/parameters'],
    ['parameters that are not objects', "    get: { operationId: getReport, parameters: [5, null], responses: { '200': { description: ok } } }", '/paths/~1report/get/parameters/0'],
    ['a request body that is not an object', "    post: { operationId: getReport, requestBody: 5, responses: { '200': { description: ok } } }", '/paths/~1report/post/requestBody'],
    ['path item parameters that are not a list', "    parameters: 5\n    get: { operationId: getReport, responses: { '200': { description: ok } } }", '/paths/~1report/parameters'],
  ])('%s: a warning outside the selection, an error inside, never a throw', async (_name, operation, pointer) => {
    const text = report(operation);
    const outside = await build(text, pets);
    expect(outside.ok && outside.value.catalog.actions.map((a) => a.name)).toEqual(['GetPet', 'SearchPets']);
    expect(outside.ok && outside.warnings?.map((w) => [w.reason, w.pointer])).toContainEqual(['SpecificationFaultOutsideSelection', pointer]);
    const inside = await build(text, { functions: ['getReport'] });
    expect(inside.ok).toBe(false);
    if (!inside.ok) expect(inside.problems.map((p) => p.pointer)).toContain(pointer);
  });

  it.each([
    ['paths that are not an object', `openapi: 3.0.3\ninfo: { title: x, version: '1' }\npaths: 5\n`, '/paths'],
    ['components that are not an object', vendor('{ type: object }').replace(/components:[\s\S]*/, 'components: 5\n'), '/components'],
  ])('%s: the document is refused', async (_name, text, pointer) => {
    const parsed = await openapiGenerator.parse(new TextEncoder().encode(text), {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.pointer)).toContain(pointer);
  });
});

describe('schema: null', () => {
  it.each([
    ['outside the selection', pets],
    ['inside the selection', { functions: ['getReport'] }],
  ])('is read as no schema, with a warning, %s', async (_name, selection) => {
    const built = await build(vendor('null'), selection);
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.warnings).toEqual([{ reason: 'NullSchema', severity: 'warning', pointer: REPORT_SCHEMA, message: 'schema is null; read as no schema (any value)' }]);
    if (selection.functions.length > 0) expect(built.value.catalog.definitions.GetReportOutput).toEqual({});
  });
});

describe('what cannot be read is still refused', () => {
  it.each([
    ['a document without info', vendor('{ type: object }').replace("info: { title: Vendor API, version: '1' }\n", ''), ''],
    ['a Swagger 2.0 document that breaks its schema', `swagger: '2.0'\ninfo: { title: x, version: '1' }\npaths: { /a: { get: { responses: { '200': { description: ok, schema: 5 } } } } }\n`, '/paths/~1a/get/responses/200/schema'],
  ])('%s', async (_name, text, pointer) => {
    const parsed = await openapiGenerator.parse(new TextEncoder().encode(text), {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toMatchObject({ reason: 'SpecificationInvalid', pointer });
  });
});

const MANIFESTS = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, policy: { plainSecrets: true } }
---
apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: vendor-api }
spec:
  system: openapi
  auth: { type: none }
  environments: { dev: { endpoint: "https://vendor.example.com" } }
---
apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: vendor }
spec:
  system: openapi
  source: { path: specs/vendor.yaml }
  entities: [{ name: pets }]
  functions: []
  connection: vendor-api
  environments: [dev]
`;

describe('validation of a selection from a document with a fault', () => {
  let repo: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'intctl-faults-'));
    write('vendor.yaml', MANIFESTS);
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('warns at spec.source.path, naming the file and the pointer, when the fault is outside the selection', async () => {
    write('specs/vendor.yaml', FAULTS[0]![1]);
    const reader = fsRepository(repo);
    const loaded = await loadManifests(reader);
    expect(loaded.problems).toEqual([]);
    const problems = await validateSelections(loaded.set, reader);
    expect(problems).toEqual([expect.objectContaining({
      file: 'vendor.yaml', line: 19, severity: 'warning', reason: 'SpecificationFaultOutsideSelection', field: 'spec.source.path',
      message: `specs/vendor.yaml at ${REPORT_SCHEMA}: must be object (outside the selection, so nothing generated uses it)`,
    })]);
  });

  it('is an error when the selection uses the faulty operation', async () => {
    write('specs/vendor.yaml', FAULTS[1]![1]);
    write('vendor.yaml', MANIFESTS.replace('functions: []', 'functions: [getReport]'));
    const reader = fsRepository(repo);
    const problems = await validateSelections((await loadManifests(reader)).set, reader);
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', reason: 'SpecificationInvalid', message: `specs/vendor.yaml at ${REPORT_SCHEMA}/$ref: $ref #/components/schemas/Nothing points at nothing in the document` })]);
  });

  it('passes intctl validate with the warning printed', async () => {
    write('specs/vendor.yaml', FAULTS[1]![1]);
    const run = await runCli(['validate', repo]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`vendor.yaml:19:19: warning: spec.source.path specs/vendor.yaml at ${REPORT_SCHEMA}/$ref: $ref #/components/schemas/Nothing points at nothing in the document (outside the selection, so nothing generated uses it)`);
  });

  it('generates the selected actions with intctl generate, the warning on stderr', async () => {
    write('specs/vendor.yaml', FAULTS[0]![1]);
    const run = await runCli(['generate', 'vendor', '--repo', repo, '--out-dir', join(repo, 'out')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`vendor.yaml:19:19: warning: spec.source.path specs/vendor.yaml at ${REPORT_SCHEMA}: must be object (outside the selection, so nothing generated uses it) (Integration vendor)\n`);
    const catalog = JSON.parse(readFileSync(join(repo, 'out', 'catalog.json'), 'utf8')) as { actions: Array<{ name: string }> };
    expect(catalog.actions.map((a) => a.name)).toEqual(['GetPet', 'SearchPets']);
  });

  it('refuses intctl generate, located, and writes nothing, when the selection uses the fault', async () => {
    write('specs/vendor.yaml', FAULTS[0]![1]);
    write('vendor.yaml', MANIFESTS.replace('functions: []', 'functions: [getReport]'));
    const run = await runCli(['generate', 'vendor', '--repo', repo, '--out-dir', join(repo, 'out')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`vendor.yaml:19:19: error: spec.source.path specs/vendor.yaml at ${REPORT_SCHEMA}: must be object (Integration vendor)\n`);
    expect(existsSync(join(repo, 'out'))).toBe(false);
  });

  it('shows the warning with intctl plan, which plans to publish the selected actions', async () => {
    write('specs/vendor.yaml', FAULTS[0]![1]);
    const run = await runCli(['plan', '--repo', repo, '--env', 'dev', '--state-dir', join(repo, '.state')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`vendor.yaml:19:19: warning: spec.source.path specs/vendor.yaml at ${REPORT_SCHEMA}: must be object (outside the selection, so nothing generated uses it) (Integration vendor)\n`);
    expect(run.stdout).toContain('+ vendor publishes 2 actions: GetPet, SearchPets');
  });
});
