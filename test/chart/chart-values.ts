/**
 * What the chart's tests share: its files, its values (defaults, examples, merged as Helm merges
 * them) and the `.Values` paths its templates read.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CHART = join(ROOT, 'charts', 'intctl');

export type Values = Record<string, unknown>;

export async function readYaml(path: string): Promise<Values> {
  return (parse(await readFile(path, 'utf8')) ?? {}) as Values;
}

/** The documented values files: charts/intctl/examples/*.yaml, by file name. */
export async function exampleFiles(): Promise<string[]> {
  return (await readdir(join(CHART, 'examples'))).filter((name) => name.endsWith('.yaml')).sort();
}

function isMapping(value: unknown): value is Values {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Values laid over defaults as Helm does: mappings merge key by key, anything else replaces. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const before = out[key];
    out[key] = isMapping(before) && isMapping(value) ? mergeValues(before, value) : value;
  }
  return out;
}

/** The templates' text, by file name (templates/*, helpers and NOTES included). */
export async function templateTexts(): Promise<Map<string, string>> {
  const dir = join(CHART, 'templates');
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) out.set(name, await readFile(join(dir, name), 'utf8'));
  return out;
}

/**
 * The dotted paths of the values a template reads: `.Values.a.b` and `$.Values.a.b`, and
 * `$x.c` where the template set `$x := .Values.a.b` (giving `a.b.c`).
 */
export function valueReferences(text: string): Set<string> {
  const refs = new Set<string>();
  const aliases = new Map<string, string>();
  for (const match of text.matchAll(/\$(\w+)\s*:=\s*\$?\.Values((?:\.\w+)+)/g)) aliases.set(match[1]!, match[2]!.slice(1));
  for (const match of text.matchAll(/\.Values((?:\.\w+)+)/g)) refs.add(match[1]!.slice(1));
  for (const [alias, path] of aliases) {
    for (const match of text.matchAll(new RegExp(`\\$${alias}((?:\\.\\w+)+)`, 'g'))) refs.add(`${path}${match[1]}`);
  }
  return refs;
}

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  $ref?: string;
  definitions?: Record<string, SchemaNode>;
}

/** A node with its `$ref` (to `#/definitions/...`) followed. */
export function resolveNode(root: SchemaNode, node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
  const target = name === undefined ? undefined : root.definitions?.[name];
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return resolveNode(root, target);
}

/**
 * Every value the schema describes, as dotted paths to its leaves (nodes without properties),
 * with whether the leaf is reached through a `$ref` (a shared shape such as a Secret key, which
 * a helper reads as a whole).
 */
export function schemaLeaves(root: SchemaNode): Array<{ path: string; viaRef: string | undefined; node: SchemaNode }> {
  const out: Array<{ path: string; viaRef: string | undefined; node: SchemaNode }> = [];
  const walk = (node: SchemaNode, path: string, viaRef: string | undefined): void => {
    const resolved = resolveNode(root, node);
    const ref = node.$ref !== undefined ? path : viaRef;
    if (resolved.properties === undefined) {
      out.push({ path, viaRef: ref, node: resolved });
      return;
    }
    for (const [key, child] of Object.entries(resolved.properties)) walk(child, path ? `${path}.${key}` : key, ref);
  };
  walk(root, '', undefined);
  return out;
}

/** Whether the schema describes the path: through properties, or into a node that takes any keys below it. */
export function schemaDescribes(root: SchemaNode, path: string): boolean {
  let node = resolveNode(root, root);
  for (const key of path.split('.')) {
    if (node.properties === undefined) return node.additionalProperties !== false;
    const child = node.properties[key];
    if (child === undefined) return false;
    node = resolveNode(root, child);
  }
  return true;
}
