import SwaggerParser from '@apidevtools/swagger-parser';
import { convertObj } from 'swagger2openapi';
import { failed, ok, pointer, type Result, type SpecProblem } from '../generator.ts';
import { parseSpecText } from './parse-spec-text.ts';

/** An OpenAPI 3.x document as parsed JSON, `$ref`s left in place. */
export type OpenApiDocument = Record<string, unknown> & { openapi: string; paths?: Record<string, unknown> };

export interface LoadedOpenApi {
  document: OpenApiDocument;
  /** `OpenAPI 3.0.3`, `OpenAPI 3.1.0`, or `Swagger 2.0 (converted to OpenAPI 3.0)`. */
  format: string;
}

const MAX_DEPTH = 200;

/**
 * Reads an OpenAPI 3.0 or 3.1 document (JSON or YAML), or a Swagger 2.0 document converted to
 * OpenAPI 3.0 by swagger2openapi, and validates it against the OpenAPI schema with
 * @apidevtools/swagger-parser. References outside the document are never followed: a
 * specification in a pull request must not make the controller read files or call URLs.
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
    if (valid.length > 0) return failed(valid);
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
  const external = findExternalRef(document);
  if (external) return failed([problem(external.at, `$ref ${external.ref} points outside the document; bundle the specification into one file`)]);
  const problems = await validate(document);
  return problems.length > 0 ? failed(problems) : ok({ document, format });
}

interface AjvDetail {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Schema validation; the library's errors become problems with the JSON pointer of the fault. */
async function validate(document: Record<string, unknown>): Promise<SpecProblem[]> {
  try {
    await SwaggerParser.validate(structuredClone(document) as never, { resolve: { external: false }, dereference: { circular: 'ignore' } } as never);
    return [];
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
 * The most specific of ajv's errors: alternatives it tried (oneOf, a missing $ref) are noise.
 * The document is validated dereferenced, so one fault in a shared schema shows up wherever it
 * is used: each message is kept once, at its shortest pointer (the shared schema itself).
 */
function fromAjv(details: AjvDetail[]): SpecProblem[] {
  const useful = details.filter((d) => d.keyword !== 'oneOf' && d.keyword !== 'anyOf' && !(d.keyword === 'required' && d.params?.missingProperty === '$ref'));
  const byMessage = new Map<string, { at: string; count: number }>();
  for (const d of useful.length > 0 ? useful : details) {
    const message = describeAjv(d);
    const at = d.instancePath ?? '';
    const seen = byMessage.get(message);
    if (!seen) byMessage.set(message, { at, count: 1 });
    else byMessage.set(message, { at: at.length < seen.at.length || (at.length === seen.at.length && at < seen.at) ? at : seen.at, count: seen.count + 1 });
  }
  const out: SpecProblem[] = [];
  for (const [message, { at, count }] of byMessage) {
    out.push(problem(at, count > 1 ? `${message} (and in ${count - 1} more ${count === 2 ? 'place' : 'places'} that use it)` : message));
  }
  return out.slice(0, 10);
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

/** The first `$ref` that does not point into the document itself, breadth first. */
function findExternalRef(root: unknown): { ref: string; at: string } | undefined {
  const queue: Array<[unknown, string]> = [[root, '']];
  for (let i = 0; i < queue.length; i++) {
    const [node, at] = queue[i]!;
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref === 'string' && !ref.startsWith('#')) return { ref, at: `${at}/$ref` };
    for (const [key, value] of Object.entries(node as object)) {
      if (value !== null && typeof value === 'object') queue.push([value, at + pointer(key)]);
    }
  }
  return undefined;
}

function depthOver(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const value of Object.values(node)) stack.push([value, depth + 1]);
  }
  return false;
}

function problem(at: string, message: string): SpecProblem {
  return { reason: 'SpecificationInvalid', pointer: at, message };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
