/**
 * Fastify route schemas read from an OpenAPI document: a server declares no schema of its own,
 * so it cannot drift from the document it publishes. The Environment API
 * (environment-server/api-spec.ts) and the controller's API (controller-api-spec.ts) both use it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Node = { [key: string]: unknown };

export interface RouteSchema {
  params?: Node;
  querystring?: Node;
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
  /** The security schemes that may call it; empty: no token needed. */
  security: string[];
  /** Whether one of its security requirements is the empty one (`- {}`): a token is optional. */
  anonymous: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the document at `path`, by operationId; `title` names the document in errors. */
export function readOpenApiOperations(path: string, title: string): Map<string, ApiOperation> {
  return operationsOf(parse(readFileSync(path, 'utf8')) as Node, title);
}

function operationsOf(document: Node, title: string): Map<string, ApiOperation> {
  const resolve = resolver(document, title);
  const out = new Map<string, ApiOperation>();
  const defaultSecurity = namesOf(document.security);
  const defaultAnonymous = allowsAnonymous(document.security);
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
        anonymous: op.security === undefined ? defaultAnonymous : allowsAnonymous(op.security),
      });
    }
  }
  return out;
}

function objectOf(parameters: Node[]): Node {
  const properties: Record<string, unknown> = {};
  for (const p of parameters) properties[String(p.name)] = p.schema;
  const required = parameters.filter((p) => p.in === 'path' || p.required === true).map((p) => String(p.name));
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

function routeSchema(op: Node, parameters: Node[], resolve: (node: unknown) => unknown): RouteSchema {
  const schema: RouteSchema = { response: {} };
  const pathParams = parameters.filter((p) => p.in === 'path');
  if (pathParams.length > 0) schema.params = objectOf(pathParams);
  const queryParams = parameters.filter((p) => p.in === 'query');
  if (queryParams.length > 0) schema.querystring = objectOf(queryParams);
  const body = resolve(op.requestBody) as Node | undefined;
  const bodySchema = (body?.content as Record<string, Node> | undefined)?.['application/json']?.schema;
  if (bodySchema) schema.body = bodySchema as Node;
  for (const [code, raw] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
    const response = resolve(raw) as Node;
    const content = (response.content as Record<string, Node> | undefined)?.['application/json'];
    // A response of another media type (an event stream, a page) is not serialized by fastify: no schema.
    if (!content && response.content) continue;
    schema.response[code] = content?.schema ? { ...(content.schema as Node) } : { type: 'null', description: String(response.description ?? '') };
  }
  return schema;
}

function allowsAnonymous(security: unknown): boolean {
  return !Array.isArray(security) || security.length === 0 || security.some((requirement) => Object.keys(requirement as Node).length === 0);
}

function namesOf(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  return security.flatMap((requirement) => Object.keys(requirement as Node));
}

/** Inlines every local `$ref` (the documents have no recursive schemas), leaving the document as it was. */
function resolver(document: Node, title: string): (node: unknown) => unknown {
  const lookup = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`the ${title} refers outside itself: ${ref}`);
    let node: unknown = document;
    for (const part of ref.slice(2).split('/')) node = (node as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`the ${title} refers to nothing: ${ref}`);
    return node;
  };
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error(`the ${title} has a recursive $ref`);
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
