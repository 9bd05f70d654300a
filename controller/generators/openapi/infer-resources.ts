import type { Operation } from '../../generated/manifests.ts';
import { pascalCase, plural, singular, uniqueNames } from '../naming.ts';
import { pointer } from '../generator.ts';

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
export interface Resource {
  name: string;
  typeName: string;
  pluralName: string;
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
}

const COUNT_SEGMENTS = new Set(['$count', 'count']);

const isParam = (segment: string): boolean => /^\{[^{}]+\}$/.test(segment);

/**
 * Finds the resources of an OpenAPI document from its paths. A path ending in a static segment
 * is a collection (`/customers`: GET searches, POST creates); one ending in a parameter right
 * after a static segment is an item of that collection (`/customers/{id}`: GET, PUT or PATCH,
 * DELETE); `<collection>/$count` or `/count` counts. A collection is an entity when it can be
 * read (a search whose response holds a list, or a get). Every other operation, and a POST on a
 * path that is not an entity, is a function named by its operationId.
 *
 * `isList(op)` says whether a GET on a collection path returns a list (the caller knows schemas).
 */
export function inferResources(paths: Record<string, unknown>, isList: (op: RawOperation) => boolean): Inferred {
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

  const byPath = new Map<string, RawOperation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  const find = (path: string, method: Method): RawOperation | undefined => byPath.get(path)?.find((o) => o.method === method);

  // Collections: static last segment. Items: parameter after a static segment.
  const candidates = new Map<string, Partial<Record<Operation, RawOperation>>>();
  const claim = (collection: string, operation: Operation, op: RawOperation | undefined): void => {
    if (!op) return;
    const entry = candidates.get(collection) ?? {};
    if (!entry[operation]) entry[operation] = op;
    candidates.set(collection, entry);
  };
  for (const path of byPath.keys()) {
    const segments = path.split('/').filter((s) => s.length > 0);
    const last = segments.at(-1);
    const before = segments.at(-2);
    if (last === undefined) continue;
    if (isParam(last)) {
      if (before === undefined || isParam(before)) continue;
      const collection = `/${segments.slice(0, -1).join('/')}`;
      claim(collection, 'Get', find(path, 'get'));
      claim(collection, 'Update', find(path, 'patch') ?? find(path, 'put'));
      claim(collection, 'Delete', find(path, 'delete'));
    } else {
      const get = find(path, 'get');
      if (get && isList(get)) claim(path, 'Search', get);
      claim(path, 'Create', find(path, 'post'));
      if (COUNT_SEGMENTS.has(last) && before !== undefined && !isParam(before)) claim(`/${segments.slice(0, -1).join('/')}`, 'Count', get);
    }
  }

  const entityPaths = [...candidates.entries()].filter(([, ops]) => ops.Search || ops.Get).map(([path]) => path).sort();
  const claimed = new Set<RawOperation>();
  const lastStatic = (path: string): string => path.split('/').filter((s) => s.length > 0).at(-1)!;
  const counts = new Map<string, number>();
  for (const path of entityPaths) counts.set(lastStatic(path), (counts.get(lastStatic(path)) ?? 0) + 1);

  const resources: Resource[] = [];
  for (const path of entityPaths) {
    const ops = candidates.get(path)!;
    const statics = path.split('/').filter((s) => s.length > 0 && !isParam(s));
    const name = counts.get(lastStatic(path))! > 1 ? statics.join('/') : lastStatic(path);
    const last = statics.at(-1)!;
    const prefix = statics.length > 1 && counts.get(last)! > 1 ? statics.slice(0, -1).map(pascalCase).join('') : '';
    const one = pascalCase(singular(last));
    resources.push({
      name,
      typeName: `${prefix}${one}`,
      pluralName: `${prefix}${pascalCase(plural(singular(last)))}`,
      collectionPath: path,
      pointer: pointer('paths', path),
      operations: ops,
    });
    for (const op of Object.values(ops)) if (op) claimed.add(op);
  }

  const rest = operations.filter((o) => !claimed.has(o));
  const functionNames = rest.map((o) => (typeof o.operation.operationId === 'string' && o.operation.operationId.length > 0 ? o.operation.operationId : `${o.method.toUpperCase()} ${o.path}`));
  const taken = new Set<string>();
  for (const r of resources) for (const op of Object.keys(r.operations)) taken.add(op === 'Search' || op === 'Count' ? `${op}${r.pluralName}` : `${op}${r.typeName}`);
  const actionNames = uniqueNames(functionNames.map((n) => pascalCase(n)), taken);
  const functions: RawFunction[] = rest.map((o, i) => ({ ...o, name: functionNames[i]!, actionName: actionNames[i]! }));
  return { resources, functions };
}
