import type { Operation } from '../../generated/manifests.ts';
import { pascalCase, plural, singular } from '../naming.ts';

/** The names of one resource: as a manifest selects it, and as its types and actions are named. */
export interface Named {
  name: string;
  typeName: string;
  pluralName: string;
}

export interface Unnamed {
  /** The collection path, `/repos/{owner}/{repo}/issues`. */
  path: string;
  operations: Operation[];
  /** The parameter of its item path (`issue_number`), if it has one. */
  itemParameter?: string;
}

const LEVELS = 4;

const isParam = (segment: string): boolean => /^\{[^{}]+\}$/.test(segment);

/**
 * Unique names for the resources of a document, the same whatever order its paths are listed in.
 * Each resource starts with the shortest name and is given a longer one only while its name, or
 * the name of one of its actions, is also another resource's:
 *
 * 1. the last static segment (`comments`: `Comment`), or all static segments where another
 *    collection ends in the same one (`issues/comments`: `IssuesComment`);
 * 2. all static segments (`repos/issues/comments`: `ReposIssuesComment`);
 * 3. the whole path, a segment before a parameter read as one item
 *    (`repos/{owner}/{repo}/issues/{issue_number}/comments`: `RepoIssueComment`, where
 *    `repos/{owner}/{repo}/issues/comments` is `RepoIssuesComment`);
 * 4. the whole path, and the parameter that picks an item (`/user/{account_id}`:
 *    `UserByAccountId`, where `/users/{username}` is `UserByUsername`).
 *
 * A resource still sharing a name after that is not an entity (undefined): its operations are
 * functions, named by their operationIds, so no operation is lost or replaced.
 */
export function nameResources(resources: readonly Unnamed[]): Array<Named | undefined> {
  const lastCounts = new Map<string, number>();
  for (const r of resources) lastCounts.set(lastStatic(r.path), (lastCounts.get(lastStatic(r.path)) ?? 0) + 1);
  const levels = resources.map(() => 1);
  const dropped = new Set<number>();
  for (let round = 0; round < resources.length * LEVELS + 1; round++) {
    const names = resources.map((r, i) => (dropped.has(i) ? undefined : nameAt(r, levels[i]!, lastCounts.get(lastStatic(r.path))! > 1)));
    const colliding = collisions(resources, names);
    if (colliding.size === 0) return names;
    for (const i of colliding) {
      if (levels[i]! < LEVELS) levels[i]!++;
      else dropped.add(i);
    }
  }
  return resources.map(() => undefined);
}

function nameAt(r: Unnamed, level: number, lastShared: boolean): Named {
  const segments = r.path.split('/').filter((s) => s.length > 0);
  const statics = segments.filter((s) => !isParam(s));
  const last = statics.at(-1) ?? 'root';
  const one = pascalCase(singular(last));
  const many = pascalCase(plural(singular(last)));
  if (level === 1 || level === 2) {
    const full = level === 2 || lastShared;
    const prefix = full && statics.length > 1 ? statics.slice(0, -1).map(pascalCase).join('') : '';
    return { name: full ? statics.join('/') : last, typeName: `${prefix}${one}`, pluralName: `${prefix}${many}` };
  }
  let prefix = '';
  const lastIndex = segments.lastIndexOf(last);
  for (const [i, s] of segments.entries()) {
    if (isParam(s) || i >= lastIndex) continue;
    prefix += pascalCase(isParam(segments[i + 1] ?? '') ? singular(s) : s);
  }
  const parameter = isParam(segments.at(-1) ?? '') ? segments.at(-1)!.slice(1, -1) : r.itemParameter;
  const by = level === 4 && parameter !== undefined ? `By${pascalCase(parameter)}` : '';
  return { name: segments.join('/'), typeName: `${prefix}${one}${by}`, pluralName: `${prefix}${many}${by}` };
}

/** The indexes of resources whose name or an action's name another resource also has. */
function collisions(resources: readonly Unnamed[], names: ReadonlyArray<Named | undefined>): Set<number> {
  const owners = new Map<string, number[]>();
  const own = (key: string, i: number): void => {
    const list = owners.get(key) ?? [];
    if (!list.includes(i)) list.push(i);
    owners.set(key, list);
  };
  for (const [i, named] of names.entries()) {
    if (!named) continue;
    own(`entity ${named.name}`, i);
    for (const op of resources[i]!.operations) own(`action ${op === 'Search' || op === 'Count' ? `${op}${named.pluralName}` : `${op}${named.typeName}`}`, i);
  }
  const out = new Set<number>();
  for (const list of owners.values()) if (list.length > 1) for (const i of list) out.add(i);
  return out;
}

function lastStatic(path: string): string {
  return path.split('/').filter((s) => s.length > 0 && !isParam(s)).at(-1) ?? 'root';
}
