import type { Operation } from '../../generated/manifests.ts';
import { pascalCase, uniqueNames } from '../naming.ts';
import { pointer, type SpecProblem } from '../generator.ts';
import { nameResources, type Named } from './name-resources.ts';

export const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

/** One operation of the document, where it is. */
export interface RawOperation {
  method: Method;
  path: string;
  pointer: string;
  operation: Record<string, unknown>;
  /** Path-item parameters and the operation's own, unresolved. */
  parameters: unknown[];
}

/** A resource: a collection path, its item path, and the CRUD operations found on them. */
export interface Resource extends Named {
  collectionPath: string;
  pointer: string;
  operations: Partial<Record<Operation, RawOperation>>;
}

export interface RawFunction extends RawOperation {
  /** The operationId, or `METHOD /path` when there is none. */
  name: string;
  actionName: string;
}

export interface Inferred {
  resources: Resource[];
  functions: RawFunction[];
  problems: SpecProblem[];
}

const COUNT_SEGMENTS = new Set(['$count', 'count']);

/** Verbs that make a static segment an operation rather than a collection: `findByStatus`, `search`. */
const VERBS = 'find|get|list|search|query|fetch|lookup|filter|create|update|delete|remove|add|set|do|run|execute|check|validate|calculate|compute|login|logout|send|start|stop|cancel|approve|reject|generate|sync|refresh|reset|enable|disable|upload|download|export|import';
const VERB_LIKE = new RegExp(`^(${VERBS})([A-Z0-9].*)?$`);

const isParam = (segment: string): boolean => /^\{[^{}]+\}$/.test(segment);
const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s.length > 0);
const pathOf = (segments: readonly string[]): string => `/${segments.join('/')}`;

/**
 * Finds the resources of an OpenAPI document from its paths and the shape of its responses.
 *
 * - A collection is a path whose GET returns a list (`/customers`, or `/items/{collection}`): GET
 *   searches, POST creates; `<collection>/$count` or `/count` counts. A path ending in a static
 *   segment is a collection too for POST, when it is not named like a verb (`/pet/findByStatus`,
 *   `/user/login`: those are functions).
 * - An item is a path ending in a parameter right after a collection (`/customers/{id}`): GET,
 *   PUT or PATCH, DELETE. A path ending in a parameter whose GET returns a list is a collection,
 *   not an item.
 * - A collection is an entity when it can be read (a search or a get). Every other operation,
 *   including a GET on a static path that returns one object (`GET /app`), is a function named by
 *   its operationId.
 *
 * Names are unique: see nameResources. Operations whose operationId another operation has
 * already taken are problems naming both paths, never one replacing the other.
 *
 * `isList(op)` says whether a GET returns a list (the caller knows schemas).
 */
export function inferResources(paths: Record<string, unknown>, isList: (op: RawOperation) => boolean): Inferred {
  const operations = collectOperations(paths);
  const byPath = new Map<string, RawOperation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  const find = (path: string, method: Method): RawOperation | undefined => byPath.get(path)?.find((o) => o.method === method);
  const lists = new Map<string, boolean>();
  const listed = (path: string): boolean => {
    let known = lists.get(path);
    if (known === undefined) {
      const get = find(path, 'get');
      known = get !== undefined && isList(get);
      lists.set(path, known);
    }
    return known;
  };

  const candidates = new Map<string, Partial<Record<Operation, RawOperation>>>();
  const claim = (collection: string, operation: Operation, op: RawOperation | undefined): void => {
    if (!op) return;
    const entry = candidates.get(collection) ?? {};
    if (!entry[operation]) entry[operation] = op;
    candidates.set(collection, entry);
  };
  const isCollection = (segments: readonly string[]): boolean => {
    const last = segments.at(-1);
    if (last === undefined) return false;
    if (isParam(last)) return listed(pathOf(segments));
    return !(segments.length > 1 && VERB_LIKE.test(last));
  };
  for (const path of byPath.keys()) {
    const segments = segmentsOf(path);
    const last = segments.at(-1);
    if (last === undefined) continue;
    const parent = segments.slice(0, -1);
    if (isParam(last) && !listed(path)) {
      if (parent.length === 0 || !isCollection(parent)) continue;
      const collection = pathOf(parent);
      claim(collection, 'Get', find(path, 'get'));
      claim(collection, 'Update', find(path, 'patch') ?? find(path, 'put'));
      claim(collection, 'Delete', find(path, 'delete'));
      continue;
    }
    if (COUNT_SEGMENTS.has(last) && parent.length > 0 && !isParam(parent.at(-1)!)) {
      claim(pathOf(parent), 'Count', find(path, 'get'));
      continue;
    }
    if (!isCollection(segments)) continue;
    if (listed(path)) claim(path, 'Search', find(path, 'get'));
    claim(path, 'Create', find(path, 'post'));
  }

  const entityPaths = [...candidates.entries()].filter(([, ops]) => ops.Search || ops.Get).map(([path]) => path).sort();
  const named = nameResources(entityPaths.map((path) => ({ path, operations: Object.keys(candidates.get(path)!) as Operation[], itemParameter: itemParameter(candidates.get(path)!) })));
  const problems: SpecProblem[] = [];
  const resources: Resource[] = [];
  const claimed = new Set<RawOperation>();
  for (const [i, path] of entityPaths.entries()) {
    const naming = named[i];
    if (naming === undefined) continue;
    const ops = candidates.get(path)!;
    resources.push({ ...naming, collectionPath: path, pointer: pointer('paths', path), operations: ops });
    for (const op of Object.values(ops)) if (op) claimed.add(op);
  }

  const rest = operations.filter((o) => !claimed.has(o));
  const functionNames = rest.map((o) => (typeof o.operation.operationId === 'string' && o.operation.operationId.length > 0 ? o.operation.operationId : `${o.method.toUpperCase()} ${o.path}`));
  const firstWith = new Map<string, RawOperation>();
  const kept: Array<{ op: RawOperation; name: string }> = [];
  for (const [i, op] of rest.entries()) {
    const name = functionNames[i]!;
    const first = firstWith.get(name);
    if (first) {
      problems.push({ reason: 'SpecificationInvalid', pointer: `${op.pointer}/operationId`, message: `operationId ${name} is used twice, by ${first.method.toUpperCase()} ${first.path} and ${op.method.toUpperCase()} ${op.path}; operationIds must be unique` });
      continue;
    }
    firstWith.set(name, op);
    kept.push({ op, name });
  }
  const taken = new Set<string>();
  for (const r of resources) for (const op of Object.keys(r.operations)) taken.add(op === 'Search' || op === 'Count' ? `${op}${r.pluralName}` : `${op}${r.typeName}`);
  const actionNames = uniqueNames(kept.map((k) => pascalCase(k.name)), taken);
  const functions: RawFunction[] = kept.map((k, i) => ({ ...k.op, name: k.name, actionName: actionNames[i]! }));
  return { resources, functions, problems };
}

/** Every operation under `paths`, in the document's path order sorted, methods in a fixed order. */
function collectOperations(paths: Record<string, unknown>): RawOperation[] {
  const operations: RawOperation[] = [];
  for (const path of Object.keys(paths).sort()) {
    const item = paths[path];
    if (item === null || typeof item !== 'object') continue;
    const shared = Array.isArray((item as Record<string, unknown>).parameters) ? ((item as Record<string, unknown>).parameters as unknown[]) : [];
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (operation === null || typeof operation !== 'object') continue;
      const own = Array.isArray((operation as Record<string, unknown>).parameters) ? ((operation as Record<string, unknown>).parameters as unknown[]) : [];
      operations.push({ method, path, pointer: pointer('paths', path, method), operation: operation as Record<string, unknown>, parameters: [...shared, ...own] });
    }
  }
  return operations;
}

/** The parameter that names one item of a collection: the last segment of its item path. */
function itemParameter(ops: Partial<Record<Operation, RawOperation>>): string | undefined {
  const item = ops.Get ?? ops.Update ?? ops.Delete;
  const last = item ? segmentsOf(item.path).at(-1) : undefined;
  return last !== undefined && isParam(last) ? last.slice(1, -1) : undefined;
}
