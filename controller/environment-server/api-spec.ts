/**
 * The Environment API document (specs/environment-api.yaml), read once, and the fastify route
 * schemas taken from it: the server declares no schema of its own, so it cannot drift from the
 * document it publishes.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { packagePath } from '../config/package-root.ts';

type Node = { [key: string]: unknown };

export interface RouteSchema {
  params?: Node;
  body?: Node;
  response: Record<string, Node>;
}

export interface ApiOperation {
  operationId: string;
  method: string;
  /** The OpenAPI path (`/v1/integrations/{integration}`). */
  path: string;
  /** The same path in fastify's syntax (`/v1/integrations/:integration`). */
  route: string;
  schema: RouteSchema;
  /** The security schemes that may call it (controllerToken, applicationToken, operatorToken); empty: no token needed. */
  security: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Where the document is, in the source tree and in the published package alike. */
export const API_SPEC_PATH = packagePath('specs', 'environment-api.yaml');

let cached: Map<string, ApiOperation> | undefined;

/** Every operation of the document, by operationId. */
export function apiOperations(): Map<string, ApiOperation> {
  cached ??= readOperations(parse(readFileSync(API_SPEC_PATH, 'utf8')) as Node);
  return cached;
}

/** One operation of the document; a name it does not have is a bug of the server, so this throws. */
export function apiOperation(operationId: string): ApiOperation {
  const found = apiOperations().get(operationId);
  if (!found) throw new Error(`the Environment API has no operation ${operationId}`);
  return found;
}

function readOperations(document: Node): Map<string, ApiOperation> {
  const resolve = resolver(document);
  const out = new Map<string, ApiOperation>();
  const defaultSecurity = namesOf(document.security);
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Node>)) {
    const shared = ((item.parameters ?? []) as unknown[]).map((p) => resolve(p) as Node);
    for (const method of METHODS) {
      const op = item[method] as Node | undefined;
      if (!op) continue;
      const parameters = [...shared, ...((op.parameters ?? []) as unknown[]).map((p) => resolve(p) as Node)];
      const operationId = String(op.operationId);
      out.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        schema: routeSchema(op, parameters, resolve),
        security: op.security === undefined ? defaultSecurity : namesOf(op.security),
      });
    }
  }
  return out;
}

function routeSchema(op: Node, parameters: Node[], resolve: (node: unknown) => unknown): RouteSchema {
  const schema: RouteSchema = { response: {} };
  const pathParams = parameters.filter((p) => p.in === 'path');
  if (pathParams.length > 0) {
    const properties: Record<string, unknown> = {};
    for (const p of pathParams) properties[String(p.name)] = p.schema;
    schema.params = { type: 'object', properties, required: pathParams.map((p) => String(p.name)) };
  }
  const body = resolve(op.requestBody) as Node | undefined;
  const bodySchema = (body?.content as Record<string, Node> | undefined)?.['application/json']?.schema;
  if (bodySchema) schema.body = bodySchema as Node;
  for (const [code, raw] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
    const response = resolve(raw) as Node;
    const content = (response.content as Record<string, Node> | undefined)?.['application/json'];
    schema.response[code] = content?.schema ? { ...(content.schema as Node) } : { type: 'null', description: String(response.description ?? '') };
  }
  return schema;
}

function namesOf(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  return security.flatMap((requirement) => Object.keys(requirement as Node));
}

/** Inlines every local `$ref` (the document has no recursive schemas), leaving the document as it was. */
function resolver(document: Node): (node: unknown) => unknown {
  const lookup = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`the Environment API refers outside itself: ${ref}`);
    let node: unknown = document;
    for (const part of ref.slice(2).split('/')) node = (node as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`the Environment API refers to nothing: ${ref}`);
    return node;
  };
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error('the Environment API has a recursive $ref');
    if (Array.isArray(node)) return node.map((n) => inline(n, depth + 1));
    if (node === null || typeof node !== 'object') return node;
    const record = node as Node;
    if (typeof record.$ref === 'string') return inline(lookup(record.$ref), depth + 1);
    const out: Node = {};
    for (const [key, value] of Object.entries(record)) out[key] = inline(value, depth + 1);
    return out;
  };
  return (node) => inline(node, 0);
}
