/**
 * Generation fidelity over real API documents (docs/fidelity.md): every JSON document of
 * @readme/oas-examples and GitHub's description, generated once each, measured against the
 * document, and held to the committed baseline (test/generation/fidelity-baseline.json) as floors
 * and ceilings: generation may only get better. The measurement itself is tested first, on a
 * small document whose every count is known.
 */
import { describe, expect, it } from 'vitest';
import { ValidatorCache } from '../../controller/action-runtime/action-validators.ts';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import { catalogCompiler } from '../support/fidelity/catalog-compiler.ts';
import { documentOperations } from '../support/fidelity/document-operations.ts';
import { improvements, readBaseline, regressions, totalCounts, type FidelityBaseline } from '../support/fidelity/fidelity-baseline.ts';
import { fidelityDocuments, oasExample } from '../support/fidelity/fidelity-documents.ts';
import { measureCatalog, measureFidelity, type FidelityCounts, type FidelityDocument } from '../support/fidelity/measure-fidelity.ts';
import { renderFidelityReport } from '../support/fidelity/render-fidelity-report.ts';
import { inlineExampleRefs } from '../support/fidelity/start-prism.ts';
import { deadline } from '../support/time.ts';

/** Each document measured once for the whole file. */
const measured = new Map<string, ReturnType<typeof measureFidelity>>();
function measure(document: FidelityDocument): ReturnType<typeof measureFidelity> {
  let found = measured.get(document.name);
  if (!found) {
    found = measureFidelity(document);
    measured.set(document.name, found);
  }
  return found;
}

/** A document whose every count is known: a Search, a Create and a Get, a HEAD no action comes from, examples that fit and that do not. */
const THINGS = {
  openapi: '3.0.3',
  info: { title: 'things', version: '1' },
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        responses: { '200': { description: 'the things', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Thing' } }, example: [{ id: 't1', name: 'a' }] } } } },
      },
      post: {
        operationId: 'createThing',
        requestBody: {
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Thing' },
              examples: { good: { value: { id: 't2', name: 'b' } }, bad: { $ref: '#/components/examples/badThing' } },
            },
            'application/xml': { schema: { $ref: '#/components/schemas/Thing' }, example: '<thing/>' },
          },
        },
        responses: { '201': { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' }, example: { id: 't2', name: 'b' } } } } },
      },
      head: { operationId: 'probeThings', responses: { '200': { description: 'there are things' } } },
    },
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'a thing', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' }, examples: { wrong: { value: { id: 7 } }, referenced: { summary: 'as GitHub writes it', value: { $ref: '#/components/examples/thing' } } } } } },
          '404': { description: 'none', content: { 'application/json': { example: { message: 'no such thing' } } } },
        },
      },
    },
  },
  components: {
    schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } },
    examples: { badThing: { value: { id: 't3', name: 5 } }, thing: { value: { id: 't9', name: 'z' } } },
  },
};
const things: FidelityDocument = { name: 'things.json', bytes: () => new TextEncoder().encode(JSON.stringify(THINGS)) };

describe('the fidelity measurement', () => {
  it('reads operations and their JSON examples from the document, following $refs to components', () => {
    const operations = documentOperations(THINGS);
    expect(operations.map((o) => [o.method, o.path, o.requestExamples.length, o.responseExamples.length])).toEqual([
      ['GET', '/things', 0, 1],
      ['POST', '/things', 2, 1],
      ['HEAD', '/things', 0, 0],
      ['GET', '/things/{id}', 0, 2],
    ]);
    expect(operations[1]!.requestExamples[1]).toEqual({ at: '/components/examples/badThing', mediaType: 'application/json', value: { id: 't3', name: 5 } });
    expect(operations[3]!.responseExamples[1]).toEqual({ at: '/components/examples/thing', mediaType: 'application/json', value: { id: 't9', name: 'z' } });
  });

  it('gives Prism the document with referenced examples inlined, GitHub\'s `value: {$ref}` included', () => {
    const served = inlineExampleRefs(THINGS) as typeof THINGS;
    const content = (op: { requestBody?: unknown; responses?: unknown }): unknown => op;
    expect(content(served.paths['/things'].post)).toMatchObject({ requestBody: { content: { 'application/json': { examples: { bad: { value: { id: 't3', name: 5 } } } } } } });
    expect(served.paths['/things/{id}'].get.responses['200'].content['application/json'].examples.referenced).toEqual({ summary: 'as GitHub writes it', value: { id: 't9', name: 'z' } });
  });

  it('counts actions, operations without one, and the examples the action schemas accept and refuse', async () => {
    const found = await measure(things);
    expect(found.counts).toEqual({
      generated: true,
      operations: 4,
      actions: 3,
      operationsWithoutAction: 1,
      duplicateActionNames: 0,
      requestExamples: { accepted: 1, refused: 1, withoutAction: 0 },
      responseExamples: { accepted: 3, refused: 1, withoutAction: 0 },
      schemas: { compile: 3, fail: 0 },
    } satisfies FidelityCounts);
    expect(found.withoutAction).toEqual(['HEAD /things (probeThings)']);
    expect(found.requestRefusals).toEqual([{ example: '/components/examples/badThing', action: 'CreateThing', why: '/name must be string' }]);
    expect(found.responseRefusals).toEqual([{ example: '/paths/~1things~1{id}/get/responses/200/content/application~1json/examples/wrong', action: 'GetThing', why: '/id must be string' }]);
  });

  it('counts duplicate names, and a faulty definition fails every action and every example, as at the runtime', async () => {
    const { artifact } = await measure(things);
    const catalog: ActionCatalog = structuredClone(artifact!.catalog);
    catalog.definitions.Broken = { type: 'number', exclusiveMinimum: true };
    catalog.actions.push({ ...catalog.actions[0]! });
    const found = measureCatalog('broken', documentOperations(THINGS), catalog);
    expect(found.counts).toMatchObject({ actions: 4, duplicateActionNames: 1, schemas: { compile: 0, fail: 4 }, requestExamples: { accepted: 0, refused: 2 }, responseExamples: { accepted: 0, refused: 4 } });
    expect(found.duplicates).toEqual([`${catalog.actions[0]!.name} (2×)`]);
    expect(found.compileFailures[0]!.why).toMatch(/^input: schema is invalid: .*exclusiveMinimum must be number/);
    const runtime = new ValidatorCache();
    expect(() => runtime.validators('sha256:broken', catalog, catalog.actions[1]!)).toThrow(/exclusiveMinimum must be number/);
  });

  it('counts a document the generator refuses: no actions, every operation without one', async () => {
    const broken = { ...THINGS, paths: { ...THINGS.paths, '/bad': { get: { responses: { '200': { description: 'x', content: { 'application/json': { schema: { $ref: '#/components/schemas/Missing' } } } } } } } } };
    const found = await measureFidelity({ name: 'bad.json', bytes: () => new TextEncoder().encode(JSON.stringify(broken)) });
    expect(found.counts).toMatchObject({ generated: false, operations: 5, actions: 0, operationsWithoutAction: 5, responseExamples: { accepted: 0, refused: 0, withoutAction: 4 } });
    expect(found.refused.join('\n')).toContain('#/components/schemas/Missing');
  });

  it.each(['3.0/json/petstore.json', '3.0/json/schema-validation.json', '3.0/json/schema-enums.json', '3.1/json/train-travel.json', '3.0/json/request-examples.json'])(
    'compiles %s action by action with the same outcome as the runtime',
    async (path) => {
      const { artifact } = await measure(oasExample(path));
      const catalog = artifact!.catalog;
      const compiler = catalogCompiler(catalog);
      const runtime = new ValidatorCache();
      for (const action of catalog.actions) {
        let runtimeCompiles = true;
        try {
          runtime.validators('sha256:fidelity', catalog, action);
        } catch {
          runtimeCompiles = false;
        }
        expect({ action: action.name, compiles: compiler.compile(action.input).ok && compiler.compile(action.output).ok }).toEqual({ action: action.name, compiles: runtimeCompiles });
      }
    },
    deadline(60_000),
  );

  const counts = (over: Partial<FidelityCounts> = {}): FidelityCounts => ({
    generated: true,
    operations: 10,
    actions: 9,
    operationsWithoutAction: 1,
    duplicateActionNames: 1,
    requestExamples: { accepted: 4, refused: 2, withoutAction: 1 },
    responseExamples: { accepted: 5, refused: 1, withoutAction: 0 },
    schemas: { compile: 8, fail: 1 },
    ...over,
  });
  it.each<[string, FidelityCounts, string[]]>([
    ['the same counts', counts(), []],
    ['better counts', counts({ actions: 10, operationsWithoutAction: 0, duplicateActionNames: 0, schemas: { compile: 10, fail: 0 } }), []],
    ['an operation that gains an action whose schema refuses its example', counts({ requestExamples: { accepted: 4, refused: 3, withoutAction: 0 } }), []],
    ['a document that no longer generates', counts({ generated: false }), ['d.json: no longer generates']],
    ['fewer actions', counts({ actions: 8 }), ['d.json: actions 8, the baseline says 9']],
    ['more operations without an action', counts({ operationsWithoutAction: 2 }), ['d.json: operations without an action 2, the baseline says 1']],
    ['more duplicate names', counts({ duplicateActionNames: 2 }), ['d.json: duplicate action names 2, the baseline says 1']],
    ['an accepted example now refused', counts({ responseExamples: { accepted: 4, refused: 2, withoutAction: 0 } }), ['d.json: response examples accepted 4, the baseline says 5']],
    ['an example that loses its action', counts({ requestExamples: { accepted: 4, refused: 1, withoutAction: 2 } }), ['d.json: request examples without an action 2, the baseline says 1']],
    ['a schema that no longer compiles', counts({ schemas: { compile: 7, fail: 2 } }), ['d.json: actions whose schemas compile 7, the baseline says 8', 'd.json: actions whose schemas fail to compile 2, the baseline says 1']],
    ['a changed document', counts({ operations: 11 }), ['d.json: operations in the document 11, the baseline says 10']],
  ])('compares with the baseline: %s', (_name, now, expected) => {
    expect(regressions({ 'd.json': counts() }, { 'd.json': now })).toEqual(expected);
  });

  it('names documents missing from either side of the comparison', () => {
    expect(regressions({ 'a.json': counts() }, { 'b.json': counts() })).toEqual(['a.json: in the baseline but not measured', 'b.json: not in the baseline (run npm run fidelity -- --baseline to add it)']);
  });
});

describe('every document, against the baseline', () => {
  const documents = fidelityDocuments();
  const baseline: FidelityBaseline = readBaseline();

  it.each(documents.map((d) => [d.name, d] as const))('%s is no worse than the baseline', async (name, document) => {
    const found = await measure(document);
    expect(regressions({ [name]: baseline[name]! }, { [name]: found.counts })).toEqual([]);
  }, deadline(180_000));

  it('covers every document the baseline names, and the report renders every one of them with the totals', async () => {
    const all = await Promise.all(documents.map((d) => measure(d)));
    const now: FidelityBaseline = Object.fromEntries(all.map((f) => [f.document, f.counts]));
    expect(regressions(baseline, now)).toEqual([]);
    const total = totalCounts(all.map((f) => f.counts));
    expect(total.documents).toBe(documents.length);
    const report = renderFidelityReport(all);
    for (const f of all) expect(report).toContain(`| \`${f.document}\` |`);
    expect(report).toContain(`| **total** | ${total.generated ? 'yes' : '**no**'} | ${total.operations} | ${total.actions} |`);
    const better = improvements(baseline, now);
    if (better.length > 0) console.info(`better than the baseline (tighten it with npm run fidelity -- --baseline): ${better.join(', ')}`);
  }, deadline(300_000));
});
