import type { Knex } from 'knex';
import type { CatalogAction, DatabaseColumn, DatabaseTarget } from '../../core/catalog.ts';
import { toDatabase, ValueError } from './column-values.ts';
import type { DatabaseKind } from './database-pools.ts';

interface Filter {
  attribute: string;
  operator: string;
  value: unknown;
}

type Row = Record<string, unknown>;

/** The most rows a Search without `top` returns: one answer stays bounded; `skip` and `top` page further. */
export const DEFAULT_TOP = 10_000;

/**
 * One clause of a statement, its value already bound for its column. `null` and `in` stand for
 * knex's whereNull/whereNotNull and whereIn; `raw` is a text match with the column as an
 * identifier (`??`) and one bound value (`?`).
 */
type Clause =
  | { type: 'where'; column: string; operator: string; value: unknown }
  | { type: 'null'; column: string; not: boolean }
  | { type: 'in'; column: string; values: unknown[] }
  | { type: 'raw'; sql: string; column: string; value: unknown };

/**
 * A statement a read or a delete runs, as plain data: its kind, its clauses with their values
 * bound, its order and paging. `shape` says everything of it but the values, so two statements
 * of one action and one shape have one SQL text; `values` are its bound values in the order the
 * SQL text takes them.
 */
export interface DatabaseStatement {
  kind: 'Get' | 'Search' | 'Count' | 'Delete';
  target: DatabaseTarget;
  clauses: Clause[];
  orderBy: Array<{ column: string; direction: 'asc' | 'desc' }>;
  skip?: number;
  top?: number;
  shape: string;
  values: unknown[];
}

/** The SQL text of a shape, with what knex needs to read its answer. */
export interface CompiledStatement {
  sql: string;
  method: string;
  options?: unknown;
}

const COMPARISON: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
const LIKE: Record<string, (v: string) => string> = {
  contains: (v) => `%${v}%`,
  startswith: (v) => `${v}%`,
  endswith: (v) => `%${v}`,
};

/**
 * The statement of a Get, Search, Count or Delete for an input already checked against the
 * action's input schema: every value bound for its column (a ValueError names one that cannot
 * be), none of them ever in the SQL text. Undefined for other kinds, which knex builds per call.
 */
export function databaseStatement(action: CatalogAction, input: Row, kind: DatabaseKind): DatabaseStatement | undefined {
  const target = action.request.database!;
  switch (action.kind) {
    case 'Get':
    case 'Delete':
      return finish({ kind: action.kind, target, clauses: byKey(target, input, kind), orderBy: [] });
    case 'Search': {
      const orderBy: DatabaseStatement['orderBy'] = [];
      const ordered = new Set<string>();
      for (const o of (input.orderBy as Array<{ attribute: string; direction?: 'asc' | 'desc' }> | undefined) ?? []) {
        orderBy.push({ column: o.attribute, direction: o.direction ?? 'asc' });
        ordered.add(o.attribute);
      }
      for (const k of target.key) if (!ordered.has(k)) orderBy.push({ column: k, direction: 'asc' });
      const statement: Omit<DatabaseStatement, 'shape' | 'values'> = { kind: 'Search', target, clauses: filtered(target, input.filters as Filter[] | undefined, kind), orderBy, top: typeof input.top === 'number' ? input.top : DEFAULT_TOP };
      if (typeof input.skip === 'number') statement.skip = input.skip;
      return finish(statement);
    }
    case 'Count':
      return finish({ kind: 'Count', target, clauses: filtered(target, input.filters as Filter[] | undefined, kind), orderBy: [] });
    default:
      return undefined;
  }
}

/** The WHERE clauses that pick one row by its key. */
export function byKey(target: DatabaseTarget, values: Row, kind: DatabaseKind): Clause[] {
  const clauses: Clause[] = [];
  for (const k of target.key) {
    const value = toDatabase(values[k], target.columns[k]!, k, kind);
    clauses.push(value === null ? { type: 'null', column: k, not: false } : { type: 'where', column: k, operator: '=', value });
  }
  return clauses;
}

/**
 * The shape and the values in the order knex binds them: the clauses in order (an empty `in`
 * list is `1 = 0`, with 0 bound), then LIMIT (1 for Get and Count), then OFFSET when not 0 (knex
 * leaves out an offset of 0). Each value's type is part of the shape too.
 */
function finish(statement: Omit<DatabaseStatement, 'shape' | 'values'>): DatabaseStatement {
  const values: unknown[] = [];
  let shape = statement.kind;
  for (const c of statement.clauses) {
    switch (c.type) {
      case 'where':
        shape += `\u0000w${c.column}\u0000${c.operator}`;
        values.push(c.value);
        break;
      case 'null':
        shape += `\u0000${c.not ? 'N' : 'n'}${c.column}`;
        break;
      case 'in':
        shape += `\u0000i${c.column}\u0000${c.values.length}`;
        if (c.values.length === 0) values.push(0);
        else values.push(...c.values);
        break;
      case 'raw':
        shape += `\u0000r${c.column}\u0000${c.sql}`;
        values.push(c.value);
        break;
    }
  }
  for (const o of statement.orderBy) shape += `\u0000o${o.column}\u0000${o.direction}`;
  if (statement.kind === 'Get' || statement.kind === 'Count') values.push(1);
  if (statement.top !== undefined) values.push(statement.top);
  if (statement.skip !== undefined) {
    shape += statement.skip === 0 ? '\u0000s0' : '\u0000s';
    if (statement.skip !== 0) values.push(statement.skip);
  }
  shape += '\u0000';
  for (const v of values) shape += typeTag(v);
  const done = statement as DatabaseStatement;
  done.shape = shape;
  done.values = values;
  return done;
}

function typeTag(value: unknown): string {
  if (value === null) return 'z';
  if (value === undefined) return 'u';
  if (Array.isArray(value)) return 'a';
  if (Buffer.isBuffer(value)) return 'b';
  return (typeof value)[0]!;
}

/** The statement as a knex query (bound values and all): what a shape's SQL text is compiled from. */
export function buildStatement(db: Knex, statement: DatabaseStatement): Knex.QueryBuilder {
  const { target } = statement;
  const from = db.withSchema(target.schema).from(target.table);
  let builder: Knex.QueryBuilder =
    statement.kind === 'Count' ? from.count({ count: '*' }) : statement.kind === 'Delete' ? from : from.select(Object.keys(target.columns));
  builder = withClauses(builder, statement.clauses);
  for (const o of statement.orderBy) builder = builder.orderBy(o.column, o.direction);
  if (statement.skip !== undefined) builder = builder.offset(statement.skip);
  if (statement.top !== undefined) builder = builder.limit(statement.top);
  if (statement.kind === 'Get' || statement.kind === 'Count') return builder.first() as unknown as Knex.QueryBuilder;
  if (statement.kind === 'Delete') return builder.del() as unknown as Knex.QueryBuilder;
  return builder;
}

/** A query with WHERE clauses added, every value bound. */
export function withClauses(builder: Knex.QueryBuilder, clauses: readonly Clause[]): Knex.QueryBuilder {
  for (const c of clauses) {
    if (c.type === 'where') builder = builder.where(c.column, c.operator, c.value as Knex.Value);
    else if (c.type === 'null') builder = c.not ? builder.whereNotNull(c.column) : builder.whereNull(c.column);
    else if (c.type === 'in') builder = builder.whereIn(c.column, c.values as Knex.Value[]);
    else builder = builder.whereRaw(c.sql, [c.column, c.value as Knex.Value]);
  }
  return builder;
}

/** The basic filters, all of which must hold, as clauses with bound values. */
function filtered(target: DatabaseTarget, filters: Filter[] | undefined, kind: DatabaseKind): Clause[] {
  const clauses: Clause[] = [];
  for (const [i, f] of (filters ?? []).entries()) {
    const column = target.columns[f.attribute];
    if (!column) throw new ValueError(`filters[${i}]: ${f.attribute} is not a column of ${target.table}`);
    const label = `filters[${i}] (${f.attribute} ${f.operator})`;
    if (f.operator === 'isnull') {
      if (typeof f.value !== 'boolean') throw new ValueError(`${label} takes true or false`);
      clauses.push({ type: 'null', column: f.attribute, not: !f.value });
      continue;
    }
    if (column.array === true || column.codec === 'json' || column.codec === 'binary') throw new ValueError(`${label}: ${f.attribute} can only be filtered with isnull`);
    clauses.push(where(f, column, label, kind));
  }
  return clauses;
}

function where(f: Filter, column: DatabaseColumn, label: string, kind: DatabaseKind): Clause {
  // Text matching compares characters exactly (lower-cased for the i- operators), in both
  // databases: MySQL and MariaDB's default collations would also match `A` for `a` and `ß` for `s`.
  const text = kind === 'postgresql' ? 'CAST(?? AS text)' : 'CONVERT(?? USING utf8mb4) COLLATE utf8mb4_bin';
  const bind = (v: unknown): unknown => toDatabase(v, column, label, kind);
  const comparison = COMPARISON[f.operator];
  if (comparison !== undefined) {
    if (f.value === null && (f.operator === 'eq' || f.operator === 'ne')) return { type: 'null', column: f.attribute, not: f.operator === 'ne' };
    return { type: 'where', column: f.attribute, operator: comparison, value: bind(f.value) };
  }
  if (f.operator === 'in') {
    if (!Array.isArray(f.value)) throw new ValueError(`${label} takes a list of values`);
    return { type: 'in', column: f.attribute, values: f.value.map(bind) };
  }
  const insensitive = f.operator.startsWith('i');
  const base = insensitive ? f.operator.slice(1) : f.operator;
  if (column.codec !== 'string') throw new ValueError(`${label}: ${f.operator} applies to text columns only`);
  if (typeof f.value !== 'string') throw new ValueError(`${label} takes a string`);
  if (base === 'eq') return { type: 'raw', sql: `LOWER(${text}) = LOWER(?)`, column: f.attribute, value: f.value };
  const pattern = LIKE[base]?.(f.value.replace(/[!%_]/g, (c) => `!${c}`));
  if (pattern === undefined) throw new ValueError(`${label}: unknown operator`);
  return { type: 'raw', sql: insensitive ? `LOWER(${text}) LIKE LOWER(?) ESCAPE '!'` : `${text} LIKE ? ESCAPE '!'`, column: f.attribute, value: pattern };
}
