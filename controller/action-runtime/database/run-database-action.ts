import type { Knex } from 'knex';
import type { CatalogAction, DatabaseColumn, DatabaseTarget } from '../../core/catalog.ts';
import { typeDefault } from '../../core/column-defaults.ts';
import { actionFailure, type ActionFailure } from '../action-failure.ts';
import { fromDatabase, toDatabase, ValueError } from './column-values.ts';
import { databaseFailure } from './database-failure.ts';
import type { DatabaseAddress } from './database-pools.ts';

interface Filter {
  attribute: string;
  operator: string;
  value: unknown;
}

type Row = Record<string, unknown>;
export type DatabaseResult = { ok: true; output: unknown } | ActionFailure;

/** The most rows a Search without `top` returns: one answer stays bounded; `skip` and `top` page further. */
export const DEFAULT_TOP = 10_000;

const COMPARISON: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
const LIKE: Record<string, (v: string) => string> = {
  contains: (v) => `%${v}%`,
  startswith: (v) => `${v}%`,
  endswith: (v) => `%${v}`,
};

/**
 * Runs one database action of the catalog on its table with the pool of its connection. SQL is
 * built with knex, every value bound as a parameter and every identifier quoted by the dialect,
 * so no input is ever read as SQL; each statement is cancelled after `timeoutMs`. Search orders
 * by the key after the caller's ordering, so skip/top pages are stable, and without `top` returns
 * at most DEFAULT_TOP rows. Get, Update and Delete
 * of a key with no row are UpstreamNotFound.
 */
export async function runDatabaseAction(db: Knex, address: DatabaseAddress, action: CatalogAction, input: Row, timeoutMs: number): Promise<DatabaseResult> {
  const target = action.request.database!;
  const table = `${target.schema}.${target.table}`;
  const context = { action: action.name, table, address };
  try {
    return await run(db, address, action, target, input, timeoutMs);
  } catch (error) {
    if (error instanceof ValueError) return actionFailure('InputInvalid', `the input of ${action.name} cannot be bound: ${error.message}`);
    return databaseFailure(error, context);
  }
}

async function run(db: Knex, address: DatabaseAddress, action: CatalogAction, target: DatabaseTarget, input: Row, timeoutMs: number): Promise<DatabaseResult> {
  const from = (): Knex.QueryBuilder => db.withSchema(target.schema).from(target.table);
  const columns = Object.keys(target.columns);
  const reader = rowReader(target);
  const read = (row: Row | undefined): Row | undefined => (row === undefined ? undefined : reader(row));
  const byKey = (builder: Knex.QueryBuilder, values: Row): Knex.QueryBuilder => {
    for (const k of target.key) builder.where(k, toDatabase(values[k], target.columns[k]!, k, address.kind) as Knex.Value);
    return builder;
  };
  const missing = (): ActionFailure => actionFailure('UpstreamNotFound', `${action.name}: no row of ${target.schema}.${target.table} has ${target.key.map((k) => `${k} ${JSON.stringify(input[k])}`).join(', ')}`);
  const timed = <T>(builder: Knex.QueryBuilder): Knex.QueryBuilder => builder.timeout(timeoutMs, { cancel: true }) as unknown as Knex.QueryBuilder<Row, T>;

  switch (action.kind) {
    case 'Get': {
      const row = (await timed(byKey(from().select(columns), input)).first()) as Row | undefined;
      return row === undefined ? missing() : { ok: true, output: read(row) };
    }
    case 'Search': {
      const builder = filtered(from().select(columns), target, input.filters as Filter[] | undefined, address);
      const ordered = new Set<string>();
      for (const o of (input.orderBy as Array<{ attribute: string; direction?: 'asc' | 'desc' }> | undefined) ?? []) {
        builder.orderBy(o.attribute, o.direction ?? 'asc');
        ordered.add(o.attribute);
      }
      for (const k of target.key) if (!ordered.has(k)) builder.orderBy(k, 'asc');
      if (typeof input.skip === 'number') builder.offset(input.skip);
      builder.limit(typeof input.top === 'number' ? input.top : DEFAULT_TOP);
      const rows = (await timed(builder)) as Row[];
      return { ok: true, output: { items: rows.map((r) => read(r)) } };
    }
    case 'Count': {
      const row = (await timed(filtered(from().count({ count: '*' }), target, input.filters as Filter[] | undefined, address)).first()) as Row;
      return { ok: true, output: { count: Number(row.count) } };
    }
    case 'Create': {
      const record = bindRecord(input.record as Row, target, address);
      if (address.kind === 'postgresql') {
        const rows = (await timed(from().insert(record).returning(columns))) as Row[];
        return { ok: true, output: read(rows[0]) };
      }
      const [insertId] = (await timed(from().insert(record))) as number[];
      const key: Row = {};
      for (const k of target.key) key[k] = (input.record as Row)[k] ?? (target.columns[k]!.codec === 'bigint' ? String(insertId) : insertId);
      const row = (await timed(byKey(from().select(columns), key)).first()) as Row | undefined;
      return { ok: true, output: read(row) ?? {} };
    }
    case 'Update': {
      const record = bindRecord(input.record as Row, target, address);
      if (Object.keys(record).length === 0) return actionFailure('InputInvalid', `the input of ${action.name} sets no column: give record at least one`);
      if (address.kind === 'postgresql') {
        const rows = (await timed(byKey(from(), input).update(record).returning(columns))) as Row[];
        return rows.length === 0 ? missing() : { ok: true, output: read(rows[0]) };
      }
      await timed(byKey(from(), input).update(record));
      const row = (await timed(byKey(from().select(columns), input)).first()) as Row | undefined;
      return row === undefined ? missing() : { ok: true, output: read(row) };
    }
    case 'Delete': {
      const deleted = (await timed(byKey(from(), input).del())) as number;
      return deleted === 0 ? missing() : { ok: true, output: {} };
    }
    default:
      return actionFailure('ActionNotFound', `${action.name} is not an action a database runs`);
  }
}

/** Reads rows of a table as JSON values (its columns and which of them default by type looked up once per call, not per row). */
function rowReader(target: DatabaseTarget): (row: Row) => Row {
  const defaulted = new Set(target.typeDefaults ?? []);
  const columns = Object.entries(target.columns).map(([name, column]) => ({ name, column, defaulted: defaulted.has(name) }));
  return (row) => {
    const out: Row = {};
    for (const { name, column, defaulted: byType } of columns) {
      const value = fromDatabase(row[name], column);
      out[name] = value === null && byType ? typeDefault(column) : value;
    }
    return out;
  };
}

function bindRecord(record: Row, target: DatabaseTarget, address: DatabaseAddress): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(record ?? {})) {
    const column = target.columns[name];
    if (!column || column.generated) throw new ValueError(`${name} is not a column that can be written`);
    out[name] = toDatabase(value, column, name, address.kind);
  }
  return out;
}

/** The basic filters, all of which must hold, as bound WHERE clauses. */
function filtered(builder: Knex.QueryBuilder, target: DatabaseTarget, filters: Filter[] | undefined, address: DatabaseAddress): Knex.QueryBuilder {
  for (const [i, f] of (filters ?? []).entries()) {
    const column = target.columns[f.attribute];
    if (!column) throw new ValueError(`filters[${i}]: ${f.attribute} is not a column of ${target.table}`);
    const label = `filters[${i}] (${f.attribute} ${f.operator})`;
    if (f.operator === 'isnull') {
      if (typeof f.value !== 'boolean') throw new ValueError(`${label} takes true or false`);
      builder = f.value ? builder.whereNull(f.attribute) : builder.whereNotNull(f.attribute);
      continue;
    }
    if (column.array === true || column.codec === 'json' || column.codec === 'binary') throw new ValueError(`${label}: ${f.attribute} can only be filtered with isnull`);
    builder = where(builder, f, column, label, address);
  }
  return builder;
}

function where(builder: Knex.QueryBuilder, f: Filter, column: DatabaseColumn, label: string, address: DatabaseAddress): Knex.QueryBuilder {
  // Text matching compares characters exactly (lower-cased for the i- operators), in both
  // databases: MySQL and MariaDB's default collations would also match `A` for `a` and `ß` for `s`.
  const text = address.kind === 'postgresql' ? 'CAST(?? AS text)' : 'CONVERT(?? USING utf8mb4) COLLATE utf8mb4_bin';
  const bind = (v: unknown): Knex.Value => toDatabase(v, column, label, address.kind) as Knex.Value;
  const comparison = COMPARISON[f.operator];
  if (comparison !== undefined) {
    if (f.value === null && (f.operator === 'eq' || f.operator === 'ne')) return f.operator === 'eq' ? builder.whereNull(f.attribute) : builder.whereNotNull(f.attribute);
    return builder.where(f.attribute, comparison, bind(f.value));
  }
  if (f.operator === 'in') {
    if (!Array.isArray(f.value)) throw new ValueError(`${label} takes a list of values`);
    return builder.whereIn(f.attribute, f.value.map(bind));
  }
  const insensitive = f.operator.startsWith('i');
  const base = insensitive ? f.operator.slice(1) : f.operator;
  if (column.codec !== 'string') throw new ValueError(`${label}: ${f.operator} applies to text columns only`);
  if (typeof f.value !== 'string') throw new ValueError(`${label} takes a string`);
  if (base === 'eq') return builder.whereRaw(`LOWER(${text}) = LOWER(?)`, [f.attribute, f.value]);
  const pattern = LIKE[base]?.(f.value.replace(/[!%_]/g, (c) => `!${c}`));
  if (pattern === undefined) throw new ValueError(`${label}: unknown operator`);
  return builder.whereRaw(insensitive ? `LOWER(${text}) LIKE LOWER(?) ESCAPE '!'` : `${text} LIKE ? ESCAPE '!'`, [f.attribute, pattern]);
}
