import validateSpec from '@apidevtools/swagger-parser/lib/validators/spec.js';
import { convertObj } from 'swagger2openapi';
import { failed, ok, pointer, type Result, type SpecProblem } from '../generator.ts';
import { LocalSwaggerParser } from './dereference-local.ts';
import { parseSpecText } from './parse-spec-text.ts';
import { atPointer } from '../../core/json-pointer.ts';
import { openApiSchemaErrors } from './openapi-schema-validator.ts';
import { refPointer, summarizeFaults } from './spec-faults.ts';

/** An OpenAPI 3.x document as parsed JSON, `$ref`s left in place. */
export type OpenApiDocument = Record<string, unknown> & { openapi: string; paths?: Record<string, unknown> };

export interface LoadedOpenApi {
  document: OpenApiDocument;
  /** `OpenAPI 3.0.3`, `OpenAPI 3.1.0`, or `Swagger 2.0 (converted to OpenAPI 3.0)`. */
  format: string;
  /**
   * Where an OpenAPI 3.x document breaks the OpenAPI schema, each at its JSON pointer: the
   * document is read in spite of them, and a selection decides which block it (spec-faults.ts).
   * A `schema: null` is a warning already: it is read as no schema.
   */
  faults: SpecProblem[];
}

const MAX_DEPTH = 200;

/**
 * Reads an OpenAPI 3.0 or 3.1 document (JSON or YAML), or a Swagger 2.0 document converted to
 * OpenAPI 3.0 by swagger2openapi, and validates it against the OpenAPI schema with
 * @apidevtools/swagger-parser. References outside the document are never followed: a
 * specification in a pull request must not make the controller read files or call URLs.
 * What cannot be read at all is refused: not JSON or YAML, not OpenAPI, a fault at the root of
 * the document or at its `paths` or `components` themselves, a Swagger 2.0 document that breaks its schema. Faults inside an OpenAPI 3.x
 * document (a schema of the wrong type, a `$ref` to nothing) come back as `faults` instead:
 * one broken operation of a vendor's document must not refuse the operations that work.
 */
export async function loadOpenApi(bytes: Uint8Array): Promise<Result<LoadedOpenApi>> {
  const read = parseSpecText(bytes, { maxDepth: MAX_DEPTH, maxAliases: 1000 });
  if (!read.ok) return failed([problem('', read.message)]);
  const parsed = read.value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return failed([problem('', 'the document must be an object with an openapi (or swagger) field')]);
  }
  if (depthOver(parsed, MAX_DEPTH)) return failed([problem('', `the document is nested more than ${MAX_DEPTH} levels deep`)]);

  const raw = parsed as Record<string, unknown>;
  let document: OpenApiDocument;
  let format: string;
  if (raw.swagger === '2.0') {
    const valid = await validate(raw);
    if (valid.length > 0) return failed(summarizeFaults(valid));
    try {
      const converted = await convertObj(structuredClone(raw) as never, { patch: true, warnOnly: true, resolve: false } as never);
      document = converted.openapi as unknown as OpenApiDocument;
    } catch (error) {
      return failed([problem('', `the Swagger 2.0 document could not be converted to OpenAPI 3.0: ${firstLine((error as Error).message)}`)]);
    }
    format = 'Swagger 2.0 (converted to OpenAPI 3.0)';
  } else if (typeof raw.openapi === 'string' && /^3\.[01]\.\d+/.test(raw.openapi)) {
    document = raw as OpenApiDocument;
    format = `OpenAPI ${raw.openapi}`;
  } else {
    const at = 'openapi' in raw ? '/openapi' : 'swagger' in raw ? '/swagger' : '';
    const found = 'openapi' in raw ? ` (found ${JSON.stringify(raw.openapi)})` : 'swagger' in raw ? ` (found swagger ${JSON.stringify(raw.swagger)})` : '';
    return failed([problem(at, `only OpenAPI 3.0, 3.1 and Swagger 2.0 are supported${found}`)]);
  }
  const refs = scanRefs(document);
  if (refs.external) return failed([problem(refs.external.at, `$ref ${refs.external.ref} points outside the document; bundle the specification into one file`)]);
  const faults = await documentFaults(document, refs.dangling);
  // A document whose root, paths or components break the schema is not one to read in part.
  const fatal = faults.filter((f) => f.pointer === '' || f.pointer === '/paths' || f.pointer === '/components');
  return fatal.length > 0 ? failed(summarizeFaults(fatal)) : ok({ document, format, faults });
}

/**
 * Every fault of an OpenAPI 3.x document. The validator stops at the first `$ref` to nothing, so
 * those are found here first, each one a fault, and the rest is validated without them (faults
 * the removal itself causes, at the same place, are not repeated).
 */
async function documentFaults(document: OpenApiDocument, dangling: Array<{ ref: string; at: string }>): Promise<SpecProblem[]> {
  const faults = dangling.map((d) => problem(d.at, `$ref ${d.ref} points at nothing in the document`));
  let checked: Record<string, unknown> = document;
  if (dangling.length > 0) {
    checked = structuredClone(document);
    for (const d of dangling) delete (atPointer(checked, d.at.slice(0, -'/$ref'.length)) as Record<string, unknown>).$ref;
  }
  const holders = dangling.map((d) => d.at.slice(0, -'/$ref'.length));
  for (const fault of await validate(checked)) {
    if (holders.some((h) => fault.pointer === h || fault.pointer.startsWith(`${h}/`))) continue;
    faults.push(nullSchema(document, fault) ?? fault);
  }
  const seen = new Set<string>();
  return faults.filter((f) => {
    const key = `${f.pointer}\0${f.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

const NULL_SCHEMA = 'schema is null; read as no schema (any value)';

/** A fault that is a `schema: null`, as the warning it is: such a schema is read as no schema. */
function nullSchema(document: unknown, fault: SpecProblem): SpecProblem | undefined {
  if (!fault.pointer.endsWith('/schema') || atPointer(document, fault.pointer) !== null) return undefined;
  return { reason: 'NullSchema', severity: 'warning', pointer: fault.pointer, message: NULL_SCHEMA };
}

/**
 * The `$ref`s of a document that cannot be read, breadth first, in one walk: the first one that
 * does not point into the document itself, and every local one that points at nothing. The walk
 * keeps each node's parent and key, not its path: paths are made for the `$ref`s found only (a
 * path for every node of a large document was most of the memory reading it took).
 */
function scanRefs(root: unknown): { external?: { ref: string; at: string }; dangling: Array<{ ref: string; at: string }> } {
  const nodes: object[] = [root as object];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  const at = (index: number): string => {
    const path: string[] = [];
    for (let i = index; i > 0; i = parents[i]!) path.push(keys[i]!);
    return path.reverse().map((key) => pointer(key)).join('');
  };
  const resolves = new Map<string, boolean>();
  let external: { ref: string; at: string } | undefined;
  const dangling: Array<{ ref: string; at: string }> = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Record<string, unknown>;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      if (!ref.startsWith('#')) {
        external ??= { ref, at: `${at(i)}/$ref` };
      } else {
        let found = resolves.get(ref);
        if (found === undefined) resolves.set(ref, (found = atPointer(root, refPointer(ref)) !== undefined));
        if (!found) dangling.push({ ref, at: `${at(i)}/$ref` });
      }
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (value !== null && typeof value === 'object') {
        nodes.push(value);
        parents.push(i);
        keys.push(key);
      }
    }
  }
  return { ...(external ? { external } : {}), dangling };
}

interface AjvDetail {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Schema validation; the library's errors become problems with the JSON pointer of the fault. */
async function validate(document: Record<string, unknown>): Promise<SpecProblem[]> {
  // The library dereferences the document in place (with a walk that visits each shared schema
  // once, dereference-local.ts) and checks the Swagger 2.0 rules; the schema check it would run is
  // run here, on what it dereferenced, with the schema compiled once per process. Then the document
  // is given back as it was: no copy of it is made (a full one was 19 MiB of GitHub's description).
  const parser = new LocalSwaggerParser();
  try {
    try {
      const api = (await parser.validate(document as never, {
        resolve: { external: false },
        dereference: { circular: 'ignore' },
        validate: { schema: false, spec: false },
      } as never)) as unknown as Record<string, unknown>;
      const errors = openApiSchemaErrors(api);
      if (errors.length > 0) return fromAjv(errors);
      validateSpec(api);
      return [];
    } finally {
      parser.restore();
    }
  } catch (error) {
    const e = error as Error & { details?: AjvDetail[]; targetRef?: string };
    if (Array.isArray(e.details) && e.details.length > 0) return fromAjv(e.details);
    if (typeof e.targetRef === 'string') {
      const at = findRef(document, e.targetRef);
      return [problem(at ?? '', `$ref ${e.targetRef} points at nothing in the document`)];
    }
    return [problem('', firstLine(e.message))];
  }
}

/**
 * The most specific of ajv's errors, each at its pointer: alternatives it tried (oneOf, a missing
 * $ref) are noise. The document is validated dereferenced, so one fault in a shared schema shows
 * up wherever it is used; summarizeFaults shows it once.
 */
function fromAjv(details: AjvDetail[]): SpecProblem[] {
  const useful = details.filter((d) => d.keyword !== 'oneOf' && d.keyword !== 'anyOf' && !(d.keyword === 'required' && d.params?.missingProperty === '$ref'));
  return (useful.length > 0 ? useful : details).map((d) => problem(d.instancePath ?? '', describeAjv(d)));
}

function describeAjv(d: AjvDetail): string {
  if (d.keyword === 'required') return `must have the field ${String(d.params?.missingProperty)}`;
  if (d.keyword === 'additionalProperties') return `has a field ${String(d.params?.additionalProperty)} that OpenAPI does not define`;
  return d.message ?? `fails ${d.keyword}`;
}

/** Where the first `$ref` to a target is, breadth first, as a JSON pointer. */
function findRef(root: unknown, target: string): string | undefined {
  const queue: Array<[unknown, string]> = [[root, '']];
  for (let i = 0; i < queue.length; i++) {
    const [node, at] = queue[i]!;
    if ((node as Record<string, unknown>).$ref === target) return `${at}/$ref`;
    for (const [key, value] of Object.entries(node as object)) {
      if (value !== null && typeof value === 'object') queue.push([value, at + pointer(key)]);
    }
  }
  return undefined;
}

/** Whether an object or array lies deeper than `max`: one walk with a stack of objects and one of depths (no pair allocated per value). */
function depthOver(root: unknown, max: number): boolean {
  if (root === null || typeof root !== 'object') return false;
  const nodes: object[] = [root];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > max) return true;
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      nodes.push(value);
      depths.push(depth + 1);
    }
  }
  return false;
}

function problem(at: string, message: string): SpecProblem {
  return { reason: 'SpecificationInvalid', pointer: at, message };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
