import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, OpenAPIRouter, type Document } from 'openapi-backend';

/** Which of GitHub's published descriptions a stand-in checks against. */
export type GithubDescriptionName = 'api.github.com' | 'ghes-3.19';

/** The operations the stand-in serves, by GitHub's operationId. */
export const SERVED_OPERATIONS = [
  'checks/create',
  'checks/update',
  'checks/list-for-ref',
  'checks/list-annotations',
  'repos/create-commit-status',
  'repos/list-commit-statuses-for-ref',
  'pulls/get',
  'pulls/list-reviews',
  'repos/list-pull-requests-associated-with-commit',
  'apps/get-repo-installation',
  'apps/create-installation-access-token',
  'rate-limit/get',
] as const;

export type ServedOperation = (typeof SERVED_OPERATIONS)[number];

/**
 * Most operations describe only their success; GitHub's error bodies are `basic-error` (and `validation-error` for
 * 422) throughout. A synthetic operation carries those schemas so error responses are validated too. It is never
 * routed to.
 */
export const ERROR_OPERATION = 'stand-in/error';
const ERROR_PATH = '/__stand-in__/error';

type Json = Record<string, unknown>;

/** ajv-formats is CommonJS: its function is the default import under tsx and `.default` for the types. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

/** A parsed description: the served operations compiled for validation, every described operation for routing. */
export interface GithubDescription {
  name: GithubDescriptionName;
  /** openapi-backend over only the served operations (dereferenced, validators compiled on first use). */
  served: OpenAPIBackend;
  /** Routes every operation the description names, so an unserved one is told apart from an undescribed one. */
  all: OpenAPIRouter;
  /** `components.examples` of the full description: the realistic bodies the stand-in starts its resources from. */
  examples: Record<string, unknown>;
  /** Milliseconds spent reading, extracting and initialising. */
  loadMs: number;
}

const cache = new Map<GithubDescriptionName, Promise<GithubDescription>>();

/**
 * Loads one of GitHub's published OpenAPI descriptions once per process (worker) and returns it from then on.
 * Only the served operations, with the components they reference, are handed to openapi-backend, so startup stays
 * far below compiling the whole 13 MB document with ajv.
 */
export function loadGithubDescription(name: GithubDescriptionName = 'api.github.com'): Promise<GithubDescription> {
  let found = cache.get(name);
  if (!found) {
    found = load(name);
    cache.set(name, found);
  }
  return found;
}

async function load(name: GithubDescriptionName): Promise<GithubDescription> {
  const started = performance.now();
  const file = createRequire(import.meta.url).resolve(`@octokit/openapi/generated/${name}.json`);
  const full = JSON.parse(readFileSync(file, 'utf8')) as Json & { paths: Record<string, Json>; components: Record<string, Json> };
  const served = new OpenAPIBackend({
    definition: extractOperations(full, SERVED_OPERATIONS) as unknown as Document,
    strict: false,
    quick: false,
    validate: true,
    coerceTypes: true,
    ajvOpts: { strict: false, allErrors: true },
    customizeAjv: (ajv) => {
      addFormats(ajv);
      ajv.addFormat('timestamp', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= 0 });
      return ajv;
    },
  });
  await served.init();
  const all = new OpenAPIRouter({ definition: routesOnly(full) as unknown as Document });
  return { name, served, all, examples: full.components.examples ?? {}, loadMs: Math.round(performance.now() - started) };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A copy of the description with only the named operations and every component they reach through `$ref`. */
export function extractOperations(full: Json & { paths: Record<string, Json>; components: Record<string, Json> }, operationIds: readonly string[]): Json {
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries(full.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation || !operationIds.includes(String(operation.operationId))) continue;
      paths[path] = { ...paths[path], [method]: operation };
    }
  }
  const json = (ref: string) => ({ description: 'Error', content: { 'application/json': { schema: { $ref: ref } } } });
  paths[ERROR_PATH] = {
    get: {
      operationId: ERROR_OPERATION,
      responses: {
        '422': { description: 'Error', content: { 'application/json': { schema: { anyOf: [{ $ref: '#/components/schemas/validation-error' }, { $ref: '#/components/schemas/basic-error' }] } } } },
        default: json('#/components/schemas/basic-error'),
      },
    },
  };
  const components: Record<string, Json> = {};
  const pending: unknown[] = [paths];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    if (!node || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const [, kind, component] = /^#\/components\/([^/]+)\/(.+)$/.exec(value) ?? [];
        if (!kind || !component || components[kind]?.[component] !== undefined) continue;
        const target = full.components[kind]?.[component];
        components[kind] = { ...components[kind], [component]: target };
        pending.push(target);
      } else {
        pending.push(value);
      }
    }
  }
  return nullableForAjv(structuredClone({ openapi: full.openapi, info: full.info, paths, components })) as Json;
}

/**
 * OpenAPI 3.0 `nullable` as ajv reads it: ajv refuses `nullable` without `type` (GitHub writes
 * `{ allOf: [...], nullable: true }`) and does not let `null` past an `enum` that omits it.
 */
function nullableForAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableForAjv);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableForAjv(value);
  if (out.nullable !== true) return out;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  if (out.type !== undefined) return out;
  const { nullable: _nullable, ...rest } = out;
  return { anyOf: [rest, { type: 'null' }] };
}

/** Every path and method of the description with only its operationId: enough to route, nothing to dereference. */
function routesOnly(full: Json & { paths: Record<string, Json> }): Json {
  const paths: Record<string, Json> = {};
  for (const [path, item] of Object.entries(full.paths)) {
    const methods: Json = {};
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation) methods[method] = { operationId: operation.operationId, responses: {} };
    }
    paths[path] = methods;
  }
  return { openapi: full.openapi, info: full.info, paths };
}
