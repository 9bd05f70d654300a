import type { Knex } from 'knex';
import type { CatalogAction, DatabaseTarget } from '../../core/catalog.ts';
import { typeDefault } from '../../core/column-defaults.ts';
import { actionFailure, type ActionFailure } from '../action-failure.ts';
import { fromDatabase, toDatabase, ValueError } from './column-values.ts';
import { databaseFailure } from './database-failure.ts';
import type { DatabaseAddress } from './database-pools.ts';
import { byKey as keyClauses, databaseStatement, withClauses } from './database-statement.ts';
import { runStatement, type StatementCache } from './statement-cache.ts';

type Row = Record<string, unknown>;
export type DatabaseResult = { ok: true; output: unknown } | ActionFailure;

export { DEFAULT_TOP } from './database-statement.ts';

/**
 * Runs one database action of the catalog on its table with the pool of its connection. SQL is
 * built with knex, every value bound as a parameter and every identifier quoted by the dialect,
 * so no input is ever read as SQL; each statement is cancelled after `timeoutMs`. The SQL text
 * of a Get, Search, Count or Delete is compiled once per shape of its input (`statements`). Search orders
 * by the key after the caller's ordering, so skip/top pages are stable, and without `top` returns
 * at most DEFAULT_TOP rows. Get, Update and Delete
 * of a key with no row are UpstreamNotFound.
 */
export async function runDatabaseAction(db: Knex, address: DatabaseAddress, action: CatalogAction, input: Row, timeoutMs: number, statements: StatementCache): Promise<DatabaseResult> {
  const target = action.request.database!;
  try {
    const statement = databaseStatement(action, input, address.kind);
    if (statement === undefined) return await write(db, address, action, target, input, timeoutMs);
    const answer = await runStatement(db, statements.ready(db, action, statement), timeoutMs);
    switch (statement.kind) {
      case 'Get':
        return answer === undefined ? missing(action, target, input) : { ok: true, output: rowReader(target)(answer as Row) };
      case 'Search': {
        const read = rowReader(target);
        const rows = answer as Row[];
        const items = new Array<Row>(rows.length);
        for (let i = 0; i < rows.length; i++) items[i] = read(rows[i]!);
        return { ok: true, output: { items } };
      }
      case 'Count':
        return { ok: true, output: { count: Number((answer as Row).count) } };
      case 'Delete':
        return (answer as number) === 0 ? missing(action, target, input) : { ok: true, output: {} };
    }
  } catch (error) {
    if (error instanceof ValueError) return actionFailure('InputInvalid', `the input of ${action.name} cannot be bound: ${error.message}`);
    return databaseFailure(error, { action: action.name, table: `${target.schema}.${target.table}`, address });
  }
}

function missing(action: CatalogAction, target: DatabaseTarget, input: Row): ActionFailure {
  return actionFailure('UpstreamNotFound', `${action.name}: no row of ${target.schema}.${target.table} has ${target.key.map((k) => `${k} ${JSON.stringify(input[k])}`).join(', ')}`);
}

/** Create and Update, built with knex on each call: a record's columns are its own shape. */
async function write(db: Knex, address: DatabaseAddress, action: CatalogAction, target: DatabaseTarget, input: Row, timeoutMs: number): Promise<DatabaseResult> {
  const from = (): Knex.QueryBuilder => db.withSchema(target.schema).from(target.table);
  const columns = Object.keys(target.columns);
  const reader = rowReader(target);
  const read = (row: Row | undefined): Row | undefined => (row === undefined ? undefined : reader(row));
  const byKey = (builder: Knex.QueryBuilder, values: Row): Knex.QueryBuilder => withClauses(builder, keyClauses(target, values, address.kind));
  const timed = <T>(builder: Knex.QueryBuilder): Knex.QueryBuilder => builder.timeout(timeoutMs, { cancel: true }) as unknown as Knex.QueryBuilder<Row, T>;

  switch (action.kind) {
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
        return rows.length === 0 ? missing(action, target, input) : { ok: true, output: read(rows[0]) };
      }
      await timed(byKey(from(), input).update(record));
      const row = (await timed(byKey(from().select(columns), input)).first()) as Row | undefined;
      return row === undefined ? missing(action, target, input) : { ok: true, output: read(row) };
    }
    default:
      return actionFailure('ActionNotFound', `${action.name} is not an action a database runs`);
  }
}

const readers = new WeakMap<DatabaseTarget, (row: Row) => Row>();

/** Reads rows of a table as JSON values (its columns and which of them default by type looked up once per table of a catalog, not per row or call). */
function rowReader(target: DatabaseTarget): (row: Row) => Row {
  const known = readers.get(target);
  if (known) return known;
  const defaulted = new Set(target.typeDefaults ?? []);
  const columns = Object.entries(target.columns).map(([name, column]) => ({ name, column, defaulted: defaulted.has(name) }));
  const reader = (row: Row): Row => {
    const out: Row = {};
    for (const { name, column, defaulted: byType } of columns) {
      const value = fromDatabase(row[name], column);
      out[name] = value === null && byType ? typeDefault(column) : value;
    }
    return out;
  };
  readers.set(target, reader);
  return reader;
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
