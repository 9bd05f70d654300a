import { shapeOutput } from '../../../controller/action-runtime/shape-output.ts';
import type { Artifact, BuildInput } from '../../../controller/artifact/build-artifact.ts';
import type { ActionCatalog, CatalogAction, JsonSchema } from '../../../controller/core/catalog.ts';
import type { OpenApiModel } from '../../../controller/generators/openapi/openapi-generator.ts';
import { GENERATORS } from '../../../controller/generators/registry.ts';
import { createSpecModels } from '../../../controller/generators/spec-models.ts';
import type { Result } from '../../../controller/generators/generator.ts';
import { cachedBuild } from '../artifact-cache.ts';
import { integration } from '../manifests.ts';
import { catalogCompiler, type CatalogCompiler, type Compiled } from './catalog-compiler.ts';
import { documentOperations, type DocumentedExample, type DocumentOperation } from './document-operations.ts';

/** Documented examples checked against the schemas of the action generated for their operation. */
export interface ExampleCounts {
  accepted: number;
  refused: number;
  /** Examples of an operation that has no action. */
  withoutAction: number;
}

/** The counts of one document; test/generation/fidelity-baseline.json holds them per document. */
export interface FidelityCounts {
  /** Whether the generator made a catalog of the whole document at all. */
  generated: boolean;
  operations: number;
  actions: number;
  operationsWithoutAction: number;
  /** Action names held by more than one action. */
  duplicateActionNames: number;
  requestExamples: ExampleCounts;
  responseExamples: ExampleCounts;
  /** Actions whose input and output schemas both compile, and those where one does not. */
  schemas: { compile: number; fail: number };
}

export interface ExampleRefusal {
  example: string;
  action: string;
  why: string;
}

/** What was found in one document: the counts, and the items behind each failing count. */
export interface FidelityFindings {
  document: string;
  counts: FidelityCounts;
  /** The generator's problems when it refused the document. */
  refused: string[];
  withoutAction: string[];
  duplicates: string[];
  requestRefusals: ExampleRefusal[];
  responseRefusals: ExampleRefusal[];
  compileFailures: Array<{ action: string; why: string }>;
}

/** What measuring needs of a document: its name (the path it is known by) and its bytes. */
export interface FidelityDocument {
  name: string;
  /** Where the document is on disk, for a server that reads it (Prism). */
  file?: string;
  bytes: () => Uint8Array;
}

/** What the measurement generates from a document: an openapi integration that selects everything. */
export function fidelityInput(document: FidelityDocument): BuildInput {
  const subject = integration({ name: 'fidelity', system: 'openapi', source: { path: document.name }, connection: 'conn', environments: ['dev'] });
  return { integration: subject, specBytes: document.bytes(), specPath: document.name };
}

/**
 * Generates a document as the product does (an openapi integration that selects everything,
 * through buildArtifact, kept on disk by test/support/artifact-cache.ts) and measures the catalog against the document: which operations became
 * actions, which action names repeat, which documented request and response examples the
 * action's schemas accept, and which action schemas compile with the runtime's Ajv.
 */
export async function measureFidelity(document: FidelityDocument): Promise<FidelityFindings & { artifact?: Artifact }> {
  const input = fidelityInput(document);
  const generator = GENERATORS.openapi!;
  const models = createSpecModels();
  const model = (await models.model(generator, input.specBytes, input.integration.spec.source)) as Result<OpenApiModel>;
  const artifact = model.ok ? await cachedBuild(input, models) : model;
  const parsed = model.ok ? model.value.document : rawDocument(input.specBytes);
  const operations = documentOperations(parsed);
  if (!artifact.ok) return refusedDocument(document.name, operations, artifact.problems.map((p) => `${p.pointer || '/'}: ${p.message}`));
  return { ...measureCatalog(document.name, operations, artifact.value.catalog), artifact: artifact.value };
}

/** The measurement of a catalog against the operations of the document it was generated from. */
export function measureCatalog(name: string, operations: DocumentOperation[], catalog: ActionCatalog): FidelityFindings {
  const compiler = catalogCompiler(catalog);
  const bySource = new Map<string, CatalogAction[]>();
  for (const action of catalog.actions) bySource.set(action.source, [...(bySource.get(action.source) ?? []), action]);

  const findings: FidelityFindings = {
    document: name,
    counts: emptyCounts(true, operations.length, catalog.actions.length),
    refused: [],
    withoutAction: [],
    duplicates: duplicateNames(catalog.actions),
    requestRefusals: [],
    responseRefusals: [],
    compileFailures: [],
  };
  findings.counts.duplicateActionNames = findings.duplicates.length;

  const compiled = new Map<string, { input: Compiled; output: Compiled }>();
  for (const action of catalog.actions) {
    const schemas = { input: compiler.compile(action.input), output: compiler.compile(action.output) };
    compiled.set(action.name, schemas);
    const fault = !schemas.input.ok ? `input: ${schemas.input.message}` : !schemas.output.ok ? `output: ${schemas.output.message}` : undefined;
    if (fault === undefined) findings.counts.schemas.compile++;
    else {
      findings.counts.schemas.fail++;
      findings.compileFailures.push({ action: action.name, why: fault });
    }
  }

  for (const operation of operations) {
    const action = bySource.get(operation.pointer)?.[0];
    if (!action) {
      findings.counts.operationsWithoutAction++;
      findings.withoutAction.push(describeOperation(operation));
      findings.counts.requestExamples.withoutAction += operation.requestExamples.length;
      findings.counts.responseExamples.withoutAction += operation.responseExamples.length;
      continue;
    }
    for (const example of operation.requestExamples) {
      const why = refuseRequestExample(example, action, catalog, compiler);
      tally(findings.counts.requestExamples, findings.requestRefusals, example, action, why);
    }
    for (const example of operation.responseExamples) {
      const why = refuseResponseExample(example, action, catalog, compiled.get(action.name)!.output);
      tally(findings.counts.responseExamples, findings.responseRefusals, example, action, why);
    }
  }
  return findings;
}

/** Why the action's input refuses a request example as its body; undefined when it accepts it. */
function refuseRequestExample(example: DocumentedExample, action: CatalogAction, catalog: ActionCatalog, compiler: CatalogCompiler): string | undefined {
  const body = action.request.body;
  if (!body) return 'the action sends no body';
  const schema = bodySchema(action.input, body.from, catalog);
  if (!schema) return `the input has no ${body.from} for the body`;
  const compiled = compiler.compile(schema);
  if (!compiled.ok) return `the input schema does not compile: ${compiled.message}`;
  return compiled.validate(example.value) ? undefined : describeErrors(compiled.validate);
}

/** Why the action's output refuses a response example, shaped as the runtime shapes an answer. */
function refuseResponseExample(example: DocumentedExample, action: CatalogAction, catalog: ActionCatalog, output: Compiled): string | undefined {
  if (!output.ok) return `the output schema does not compile: ${output.message}`;
  const shaped = shapeOutput(action, resolveRef(action.output, catalog), [example.value], catalog.system === 'odata');
  return output.validate(shaped) ? undefined : describeErrors(output.validate);
}

/** The schema of the input property the body is taken from (`/record`, `/body`; '' is the whole input). */
function bodySchema(input: JsonSchema, from: string, catalog: ActionCatalog): JsonSchema | undefined {
  if (from === '') return input;
  const resolved = resolveRef(input, catalog);
  const key = from.slice(1).replaceAll('~1', '/').replaceAll('~0', '~');
  const properties = resolved.properties as Record<string, JsonSchema> | undefined;
  return properties?.[key];
}

function resolveRef(schema: JsonSchema, catalog: ActionCatalog): JsonSchema {
  let node = schema;
  for (let i = 0; i < 8 && typeof node.$ref === 'string' && node.$ref.startsWith('#/definitions/'); i++) {
    node = catalog.definitions[node.$ref.slice('#/definitions/'.length)] ?? {};
  }
  return node;
}

function describeErrors(validate: { errors?: Array<{ instancePath: string; message?: string }> | null }): string {
  const first = validate.errors?.[0];
  if (!first) return 'refused';
  const more = (validate.errors?.length ?? 1) - 1;
  return `${first.instancePath || '/'} ${first.message ?? 'does not match'}${more > 0 ? ` (and ${more} more)` : ''}`;
}

function tally(counts: ExampleCounts, refusals: ExampleRefusal[], example: DocumentedExample, action: CatalogAction, why: string | undefined): void {
  if (why === undefined) {
    counts.accepted++;
    return;
  }
  counts.refused++;
  refusals.push({ example: example.at, action: action.name, why });
}

function duplicateNames(actions: CatalogAction[]): string[] {
  const seen = new Map<string, number>();
  for (const action of actions) seen.set(action.name, (seen.get(action.name) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([name, n]) => `${name} (${n}×)`);
}

function describeOperation(operation: DocumentOperation): string {
  return `${operation.method} ${operation.path}${operation.operationId ? ` (${operation.operationId})` : ''}`;
}

function refusedDocument(name: string, operations: DocumentOperation[], problems: string[]): FidelityFindings {
  const counts = emptyCounts(false, operations.length, 0);
  counts.operationsWithoutAction = operations.length;
  for (const operation of operations) {
    counts.requestExamples.withoutAction += operation.requestExamples.length;
    counts.responseExamples.withoutAction += operation.responseExamples.length;
  }
  return { document: name, counts, refused: problems, withoutAction: operations.map(describeOperation), duplicates: [], requestRefusals: [], responseRefusals: [], compileFailures: [] };
}

function emptyCounts(generated: boolean, operations: number, actions: number): FidelityCounts {
  return {
    generated,
    operations,
    actions,
    operationsWithoutAction: 0,
    duplicateActionNames: 0,
    requestExamples: { accepted: 0, refused: 0, withoutAction: 0 },
    responseExamples: { accepted: 0, refused: 0, withoutAction: 0 },
    schemas: { compile: 0, fail: 0 },
  };
}

/** A document the generator refused, read as plain JSON so its operations can still be counted. */
function rawDocument(bytes: Uint8Array): Record<string, unknown> {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
