/**
 * What an OpenAPI 3.x document itself says, read independently of the generator: its operations
 * and the examples it documents for their request and response bodies. The fidelity measurement
 * compares a generated catalog against this.
 */

/** Every HTTP method an OpenAPI path item can hold. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One documented example of a body. */
export interface DocumentedExample {
  /** JSON pointer of the example in the document (`…/example`, `…/examples/<name>`). */
  at: string;
  mediaType: string;
  value: unknown;
}

export interface DocumentOperation {
  method: string;
  path: string;
  /** `/paths/<escaped path>/<method>`: what a catalog action's `source` holds. */
  pointer: string;
  operationId?: string;
  /** Examples of the request body, JSON media types only. */
  requestExamples: DocumentedExample[];
  /** Examples of the 2xx response bodies, JSON media types only: answers the runtime must accept. */
  responseExamples: DocumentedExample[];
}

type Json = Record<string, unknown>;

/** One segment of a JSON pointer. */
export function pointerSegment(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * The media types whose bodies the runtime sends and reads as JSON: `application/json`, any
 * `+json` type, and `*\/*` (which the runtime asks for as JSON). Examples of other media types
 * (XML, forms, files) are not measured.
 */
export function isJsonMediaType(mediaType: string): boolean {
  const type = mediaType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json') || type === '*/*' || type === 'text/json';
}

/** Every operation of a document, in document order, with its documented examples. */
export function documentOperations(document: Json): DocumentOperation[] {
  const paths = (document.paths ?? {}) as Record<string, unknown>;
  const operations: DocumentOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const pointer = `/paths${pointerSegment(path)}/${method}`;
      operations.push({
        method: method.toUpperCase(),
        path,
        pointer,
        ...(typeof operation.operationId === 'string' ? { operationId: operation.operationId } : {}),
        requestExamples: requestExamples(document, operation, pointer),
        responseExamples: responseExamples(document, operation, pointer),
      });
    }
  }
  return operations;
}

function requestExamples(document: Json, operation: Json, at: string): DocumentedExample[] {
  const body = resolve(document, operation.requestBody, `${at}/requestBody`);
  return body ? contentExamples(document, body.value, body.at) : [];
}

function responseExamples(document: Json, operation: Json, at: string): DocumentedExample[] {
  const responses = operation.responses;
  if (!isObject(responses)) return [];
  const out: DocumentedExample[] = [];
  for (const [code, raw] of Object.entries(responses)) {
    if (!/^2(\d\d|XX)$/i.test(code)) continue;
    const response = resolve(document, raw, `${at}/responses${pointerSegment(code)}`);
    if (response) out.push(...contentExamples(document, response.value, response.at));
  }
  return out;
}

/** The `example` and `examples` of each JSON media type of a request body or response. */
function contentExamples(document: Json, holder: Json, at: string): DocumentedExample[] {
  const content = holder.content;
  if (!isObject(content)) return [];
  const out: DocumentedExample[] = [];
  for (const [mediaType, media] of Object.entries(content)) {
    if (!isJsonMediaType(mediaType) || !isObject(media)) continue;
    const mediaAt = `${at}/content${pointerSegment(mediaType)}`;
    if ('example' in media) out.push({ at: `${mediaAt}/example`, mediaType, value: media.example });
    if (!isObject(media.examples)) continue;
    for (const [name, raw] of Object.entries(media.examples)) {
      const example = resolve(document, raw, `${mediaAt}/examples${pointerSegment(name)}`);
      if (example && 'value' in example.value) out.push({ mediaType, ...exampleValue(document, example.value.value, example.at) });
    }
  }
  return out;
}

/**
 * An example's value. GitHub's description writes `value: {$ref: '#/components/examples/issue'}`,
 * whose target is itself an Example object: the value is that example's `value`, and where it is.
 */
function exampleValue(document: Json, value: unknown, at: string): { at: string; value: unknown } {
  if (!isObject(value) || typeof value.$ref !== 'string' || Object.keys(value).length !== 1) return { at, value };
  const target = resolve(document, value, at);
  return target && 'value' in target.value ? { at: target.at, value: target.value.value } : { at, value };
}

/** A node, its local `$ref`s followed (a few levels), with where it was found; undefined if absent. */
function resolve(document: Json, node: unknown, at: string): { value: Json; at: string } | undefined {
  let current = node;
  let where = at;
  for (let i = 0; i < 8 && isObject(current) && typeof current.$ref === 'string'; i++) {
    const ref = current.$ref;
    if (!ref.startsWith('#/')) return undefined;
    where = ref.slice(1);
    current = atPointer(document, where);
  }
  return isObject(current) ? { value: current, at: where } : undefined;
}

function atPointer(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
