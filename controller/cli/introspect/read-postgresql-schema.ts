import type { Knex } from 'knex';
import type { SchemaSnapshot, SnapshotColumn, SnapshotTable } from '../../generators/sql-shared/schema-snapshot.ts';
import { SNAPSHOT_FORMAT } from '../../generators/sql-shared/schema-snapshot.ts';
import { SchemaMissingError, sortKeys } from './snapshot-parts.ts';

type Row = Record<string, unknown>;

/**
 * One PostgreSQL schema as a snapshot, read from the system catalogs (knex has no schema
 * inspector, and information_schema hides enum labels, identity kinds and the types of array
 * elements): tables, views and materialized views, their columns with format_type's spelling,
 * nullability, defaults, identity and generated columns, enum labels, comments, and primary,
 * unique and foreign keys. Tables by name, columns in table order: the same schema gives the
 * same snapshot.
 */
export async function readPostgresqlSchema(db: Knex, schema: string): Promise<SchemaSnapshot> {
  // With the schema first in the search path, its own types and defaults are spelled without it,
  // so snapshots of the same schema under two names (dev_shop, prod_shop) are equal.
  return db.transaction(async (trx) => {
    await trx.raw('SELECT set_config(?, ?, true)', ['search_path', `"${schema.replace(/"/g, '""')}"`]);
    return read(trx, schema);
  });
}

async function read(db: Knex, schema: string): Promise<SchemaSnapshot> {
  const exists = (await db.raw('SELECT nspname FROM pg_namespace WHERE nspname = ?', [schema])).rows as Row[];
  if (exists.length === 0) {
    const there = (await db.raw("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname")).rows as Row[];
    throw new SchemaMissingError(`schema ${schema} does not exist in the database (schemas there: ${there.map((r) => r.nspname).join(', ') || 'none'}); set spec.source.introspect.schemas`);
  }
  const tables = (await db.raw(
    `SELECT c.relname AS name, c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
      ORDER BY c.relname COLLATE "C"`,
    [schema],
  )).rows as Row[];
  const columns = (await db.raw(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated,
            col_description(c.oid, a.attnum) AS comment, CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END::int AS enumtype
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname COLLATE "C", a.attnum`,
    [schema],
  )).rows as Row[];
  const labels = (await db.raw('SELECT enumtypid::int AS type, enumlabel AS label FROM pg_enum ORDER BY enumtypid, enumsortorder')).rows as Row[];
  const constraints = (await db.raw(
    `SELECT con.conname AS name, con.contype AS type, cl.relname AS table, fc.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns
       FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
       LEFT JOIN pg_class fc ON fc.oid = con.confrelid
      WHERE n.nspname = ? AND con.contype IN ('p', 'u', 'f')
      ORDER BY cl.relname COLLATE "C", con.conname COLLATE "C"`,
    [schema],
  )).rows as Row[];

  const enums = new Map<number, string[]>();
  for (const l of labels) enums.set(l.type as number, [...(enums.get(l.type as number) ?? []), l.label as string]);
  const byTable = new Map<string, SnapshotTable>();
  for (const t of tables) {
    const table: SnapshotTable = { name: t.name as string, kind: t.kind === 'v' || t.kind === 'm' ? 'view' : 'table', columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: [] };
    if (typeof t.comment === 'string' && t.comment !== '') table.comment = t.comment;
    byTable.set(table.name, table);
  }
  for (const c of columns) {
    const column: SnapshotColumn = { name: c.name as string, type: c.type as string, nullable: c.nullable as boolean };
    if (typeof c.default === 'string') column.default = c.default;
    if (c.identity === 'a' || c.identity === 'd') column.generated = 'identity';
    else if (c.generated === 's') column.generated = 'computed';
    const labelsOf = enums.get(c.enumtype as number);
    if (labelsOf) column.enum = labelsOf;
    if (typeof c.comment === 'string' && c.comment !== '') column.comment = c.comment;
    byTable.get(c.table as string)?.columns.push(column);
  }
  for (const k of constraints) {
    const table = byTable.get(k.table as string);
    if (!table) continue;
    const names = k.columns as string[];
    if (k.type === 'p') table.primaryKey = names;
    else if (k.type === 'u') table.uniqueKeys.push(names);
    else table.foreignKeys.push({ name: k.name as string, columns: names, references: { table: k.ref_table as string, columns: k.ref_columns as string[] } });
  }
  return { format: SNAPSHOT_FORMAT, system: 'postgresql', dialect: 'postgresql', schema, tables: [...byTable.values()].map(sortKeys) };
}
