import type { ActionCatalog, CatalogAction, JsonSchema } from '../core/catalog.ts';

export type ChangeSeverity = 'breaking' | 'compatible';

export type ChangeKind =
  | 'ActionRemoved'
  | 'EntityRemoved'
  | 'OutputFieldRemoved'
  | 'InputBecameRequired'
  | 'InputRemoved'
  | 'TypeNarrowed'
  | 'TypeWidened'
  | 'ActionAdded'
  | 'EntityAdded'
  | 'OutputFieldAdded'
  | 'InputAdded';

export interface CatalogChange {
  severity: ChangeSeverity;
  kind: ChangeKind;
  /** The action or entity changed. */
  subject: string;
  /** Where inside it: `input.record.email`, `output.items[]`. */
  path?: string;
  message: string;
}

const MAX_DEPTH = 24;

/**
 * The interface changes from one catalog of an integration to the next, breaking first. For
 * callers, breaking is: an action or entity removed, an output field removed, an input that
 * became required (or a new required one), an input removed, an input type narrowed (fewer
 * types or enum values accepted), and an output type widened (values callers never saw before,
 * such as null). The rest is compatible. Pure; the order of the result is fixed.
 */
export function diffCatalogs(before: ActionCatalog, after: ActionCatalog): CatalogChange[] {
  const changes: CatalogChange[] = [];
  const oldEntities = new Set(before.entities.map((e) => e.name));
  const newEntities = new Set(after.entities.map((e) => e.name));
  for (const name of oldEntities) if (!newEntities.has(name)) changes.push({ severity: 'breaking', kind: 'EntityRemoved', subject: name, message: `entity ${name} was removed` });
  for (const name of newEntities) if (!oldEntities.has(name)) changes.push({ severity: 'compatible', kind: 'EntityAdded', subject: name, message: `entity ${name} was added` });

  const oldActions = new Map(before.actions.map((a) => [a.name, a]));
  const newActions = new Map(after.actions.map((a) => [a.name, a]));
  for (const [name] of oldActions) if (!newActions.has(name)) changes.push({ severity: 'breaking', kind: 'ActionRemoved', subject: name, message: `action ${name} was removed` });
  for (const [name, action] of newActions) {
    const old = oldActions.get(name);
    if (!old) {
      changes.push({ severity: 'compatible', kind: 'ActionAdded', subject: name, message: `action ${name} was added` });
      continue;
    }
    compareAction(old, action, before.definitions, after.definitions, changes);
  }
  return changes.sort(order);
}

function compareAction(old: CatalogAction, next: CatalogAction, oldDefs: Record<string, JsonSchema>, newDefs: Record<string, JsonSchema>, out: CatalogChange[]): void {
  const walker = new Walker(oldDefs, newDefs, next.name, out);
  walker.compare(old.input, next.input, 'input', 'input', 0);
  walker.compare(old.output, next.output, 'output', 'output', 0);
}

type Side = 'input' | 'output';

class Walker {
  private readonly seen = new Set<string>();

  constructor(
    private readonly oldDefs: Record<string, JsonSchema>,
    private readonly newDefs: Record<string, JsonSchema>,
    private readonly subject: string,
    private readonly out: CatalogChange[],
  ) {}

  compare(a: JsonSchema | undefined, b: JsonSchema | undefined, side: Side, path: string, depth: number): void {
    if (depth > MAX_DEPTH || a === undefined || b === undefined) return;
    const key = `${String(a.$ref)}|${String(b.$ref)}|${side}|${path.split('.').length}`;
    if (a.$ref !== undefined && b.$ref !== undefined) {
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    const x = resolve(a, this.oldDefs);
    const y = resolve(b, this.newDefs);
    this.compareTypes(x, y, side, path);
    const xp = properties(x, this.oldDefs);
    const yp = properties(y, this.newDefs);
    if (xp && yp) this.compareObjects(x, y, xp, yp, side, path, depth);
    const xi = itemsOf(x, this.oldDefs);
    const yi = itemsOf(y, this.newDefs);
    if (xi && yi) this.compare(xi, yi, side, `${path}[]`, depth + 1);
    const xc = conditions(x);
    const yc = conditions(y);
    for (const [key, then] of xc) {
      const next = yc.get(key);
      if (next) this.compare(then, next, side, `${path}(${key})`, depth + 1);
    }
  }

  private compareObjects(x: JsonSchema, y: JsonSchema, xp: Record<string, JsonSchema>, yp: Record<string, JsonSchema>, side: Side, path: string, depth: number): void {
    const xr = new Set((x.required as string[] | undefined) ?? []);
    const yr = new Set((y.required as string[] | undefined) ?? []);
    for (const name of Object.keys(xp).sort()) {
      const at = `${path}.${name}`;
      if (!(name in yp)) {
        if (side === 'output') this.add('breaking', 'OutputFieldRemoved', at, `output field ${inside(at)} was removed`);
        else this.add('breaking', 'InputRemoved', at, `input ${inside(at)} is no longer accepted`);
        continue;
      }
      if (side === 'input' && !xr.has(name) && yr.has(name)) this.add('breaking', 'InputBecameRequired', at, `input ${inside(at)} became required`);
      this.compare(xp[name], yp[name], side, at, depth + 1);
    }
    for (const name of Object.keys(yp).sort()) {
      if (name in xp) continue;
      const at = `${path}.${name}`;
      if (side === 'output') this.add('compatible', 'OutputFieldAdded', at, `output field ${inside(at)} was added`);
      else if (yr.has(name)) this.add('breaking', 'InputBecameRequired', at, `input ${inside(at)} was added and is required`);
      else this.add('compatible', 'InputAdded', at, `optional input ${inside(at)} was added`);
    }
  }

  private compareTypes(x: JsonSchema, y: JsonSchema, side: Side, path: string): void {
    const xt = typeSet(x, this.oldDefs);
    const yt = typeSet(y, this.newDefs);
    const lost = xt ? [...xt].filter((t) => !yt || !yt.has(t)) : [];
    const gained = yt ? [...yt].filter((t) => !xt || !xt.has(t)) : xt ? ['any'] : [];
    const xe = Array.isArray(x.enum) ? x.enum.map((v) => JSON.stringify(v)) : undefined;
    const ye = Array.isArray(y.enum) ? y.enum.map((v) => JSON.stringify(v)) : undefined;
    const enumLost = xe && ye ? xe.filter((v) => !ye.includes(v)) : !xe && ye ? ['(any value)'] : [];
    const enumGained = xe && ye ? ye.filter((v) => !xe.includes(v)) : xe && !ye ? ['(any value)'] : [];
    const narrowed = lost.length > 0 || (!xt && yt !== undefined) || enumLost.length > 0;
    const widened = gained.length > 0 || enumGained.length > 0;
    const describe = (types: string[], values: string[]): string => [...types, ...values.map((v) => `value ${v}`)].join(', ');
    if (narrowed) {
      const what = describe(lost, enumLost) || 'any type';
      this.add(side === 'input' ? 'breaking' : 'compatible', 'TypeNarrowed', path, `${describePath(side, path)} no longer takes ${what}`);
    }
    if (widened) {
      const what = describe(gained, enumGained);
      this.add(side === 'output' ? 'breaking' : 'compatible', 'TypeWidened', path, `${describePath(side, path)} now also takes ${what}`);
    }
  }

  private add(severity: ChangeSeverity, kind: ChangeKind, path: string, message: string): void {
    this.out.push({ severity, kind, subject: this.subject, path, message: `${this.subject}: ${message}` });
  }
}

/** A path inside the input or output without the side's own name: `input.record.email` is `record.email`. */
function inside(path: string): string {
  return path.replace(/^(input|output)\.?/, '');
}

/** `the input`, `output items[]`, `input record.email`: a path as a message names it, the side said once. */
function describePath(side: Side, path: string): string {
  const rest = inside(path);
  return rest === '' ? `the ${side}` : `${side} ${rest}`;
}

/**
 * The conditional parts of a schema that type one field by another's value, as a filter's value
 * is typed by its attribute (`if attribute is state then value is open or closed`), by that value.
 */
function conditions(schema: JsonSchema): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  for (const part of (Array.isArray(schema.allOf) ? schema.allOf : []) as JsonSchema[]) {
    const test = (part.if as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined;
    const then = part.then as JsonSchema | undefined;
    if (!test || !then) continue;
    const [field, rule] = Object.entries(test)[0] ?? [];
    if (field !== undefined && rule !== undefined && 'const' in rule) out.set(`${field}=${String(rule.const)}`, then);
  }
  return out;
}

function resolve(schema: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  let node = schema;
  for (let i = 0; i < 16 && typeof node.$ref === 'string'; i++) {
    const name = node.$ref.replace('#/definitions/', '');
    node = defs[name] ?? {};
  }
  return node;
}

/** The JSON types a schema allows; undefined when it says nothing (any). */
function typeSet(schema: JsonSchema, defs: Record<string, JsonSchema>, depth = 0): Set<string> | undefined {
  if (depth > 8) return undefined;
  const node = resolve(schema, defs);
  if (typeof node.type === 'string') return new Set([node.type === 'integer' ? 'integer' : node.type]);
  if (Array.isArray(node.type)) return new Set(node.type.map(String));
  const parts = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(parts)) {
    const out = new Set<string>();
    for (const part of parts) {
      const t = typeSet(part, defs, depth + 1);
      if (!t) return undefined;
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (node.properties !== undefined) return new Set(['object']);
  return undefined;
}

/** The properties of an object schema, allOf parts merged; undefined when it has none. */
function properties(schema: JsonSchema, defs: Record<string, JsonSchema>): Record<string, JsonSchema> | undefined {
  const out: Record<string, JsonSchema> = {};
  let found = false;
  const visit = (node: JsonSchema, depth: number): void => {
    if (depth > 8) return;
    const n = resolve(node, defs);
    if (n.properties && typeof n.properties === 'object') {
      found = true;
      Object.assign(out, n.properties);
    }
    if (Array.isArray(n.allOf)) for (const part of n.allOf as JsonSchema[]) visit(part, depth + 1);
  };
  visit(schema, 0);
  return found ? out : undefined;
}

function itemsOf(schema: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema | undefined {
  const n = resolve(schema, defs);
  return n.items && typeof n.items === 'object' && !Array.isArray(n.items) ? (n.items as JsonSchema) : undefined;
}

function order(a: CatalogChange, b: CatalogChange): number {
  if (a.severity !== b.severity) return a.severity === 'breaking' ? -1 : 1;
  return cmp(a.subject, b.subject) || cmp(a.path ?? '', b.path ?? '') || cmp(a.kind, b.kind);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
