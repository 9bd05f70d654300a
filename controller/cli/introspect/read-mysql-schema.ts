import type { Knex } from 'knex';
import type { SchemaSnapshot, SnapshotColumn, SnapshotTable } from '../../generators/sql-shared/schema-snapshot.ts';
import { SNAPSHOT_FORMAT } from '../../generators/sql-shared/schema-snapshot.ts';
import { SchemaMissingError, sortKeys } from './snapshot-parts.ts';

type Row = Record<string, unknown>;

/**
 * One MySQL or MariaDB database as a snapshot, from information_schema: tables and views,
 * columns with their COLUMN_TYPE, nullability, defaults, auto-increment and generated columns,
 * enum labels, comments, and primary, unique and foreign keys. MariaDB's JSON is a longtext with
 * a json_valid check; such a column is written as `json`.
 */
export async function readMysqlSchema(db: Knex, schema: string): Promise<SchemaSnapshot> {
  const rows = async (sql: string, bindings: readonly unknown[] = [schema]): Promise<Row[]> => ((await db.raw(sql, bindings as Knex.RawBinding[])) as [Row[]])[0];
  const exists = await rows('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?');
  if (exists.length === 0) {
    const there = await rows("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY SCHEMA_NAME", []);
    throw new SchemaMissingError(`database ${schema} does not exist on the server (databases there that this user sees: ${there.map((r) => r.name).join(', ') || 'none'}); set spec.source.introspect.schemas`);
  }
  const version = String((await rows('SELECT VERSION() AS v', []))[0]!.v);
  const tables = await rows('SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_COMMENT AS comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME');
  const columns = await rows(
    `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS data_type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra, COLUMN_COMMENT AS comment
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  );
  const keys = await rows(
    `SELECT k.TABLE_NAME AS tbl, k.CONSTRAINT_NAME AS name, c.CONSTRAINT_TYPE AS type, k.COLUMN_NAME AS col, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_col
       FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.TABLE_CONSTRAINTS c
         ON c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.CONSTRAINT_NAME = k.CONSTRAINT_NAME
      WHERE k.TABLE_SCHEMA = ? ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const json = new Set<string>();
  if (/mariadb/i.test(version)) {
    for (const check of await rows('SELECT TABLE_NAME AS tbl, CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?')) {
      const column = /^json_valid\(`([^`]+)`\)$/i.exec(String(check.clause).trim())?.[1];
      if (column) json.add(`${check.tbl}\0${column}`);
    }
  }

  const byTable = new Map<string, SnapshotTable>();
  for (const t of tables) {
    const table: SnapshotTable = { name: t.name as string, kind: t.type === 'VIEW' ? 'view' : 'table', columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: [] };
    if (table.kind === 'table' && typeof t.comment === 'string' && t.comment !== '') table.comment = t.comment;
    byTable.set(table.name, table);
  }
  for (const c of columns) {
    const isJson = json.has(`${c.tbl}\0${c.name}`);
    const column: SnapshotColumn = { name: c.name as string, type: isJson ? 'json' : String(c.type), nullable: c.nullable === 'YES' };
    if (c.dflt !== null && c.dflt !== undefined && c.dflt !== 'NULL') column.default = String(c.dflt);
    const extra = String(c.extra ?? '').toLowerCase();
    if (extra.includes('auto_increment')) column.generated = 'identity';
    else if (/generated|virtual|persistent|stored/.test(extra) && !/default_generated/.test(extra)) column.generated = 'computed';
    if (c.data_type === 'enum' || c.data_type === 'set') column.enum = enumLabels(String(c.type));
    if (c.data_type === 'set') delete column.enum;
    if (typeof c.comment === 'string' && c.comment !== '') column.comment = c.comment;
    byTable.get(c.tbl as string)?.columns.push(column);
  }
  const constraints = new Map<string, { table: string; name: string; type: string; columns: string[]; refTable?: string; refColumns: string[] }>();
  for (const k of keys) {
    const id = `${k.tbl}\0${k.name}`;
    const entry = constraints.get(id) ?? { table: k.tbl as string, name: k.name as string, type: k.type as string, columns: [], refColumns: [], ...(k.ref_table ? { refTable: k.ref_table as string } : {}) };
    entry.columns.push(k.col as string);
    if (k.ref_col) entry.refColumns.push(k.ref_col as string);
    constraints.set(id, entry);
  }
  for (const k of constraints.values()) {
    const table = byTable.get(k.table);
    if (!table) continue;
    if (k.type === 'PRIMARY KEY') table.primaryKey = k.columns;
    else if (k.type === 'UNIQUE') table.uniqueKeys.push(k.columns);
    else if (k.type === 'FOREIGN KEY' && k.refTable) table.foreignKeys.push({ name: k.name, columns: k.columns, references: { table: k.refTable, columns: k.refColumns } });
  }
  return { format: SNAPSHOT_FORMAT, system: 'mysql', dialect: /mariadb/i.test(version) ? 'mariadb' : 'mysql', schema, tables: [...byTable.values()].map(sortKeys) };
}

/** `enum('a','it''s')` -> ['a', "it's"]. */
function enumLabels(type: string): string[] {
  const labels: string[] = [];
  for (const m of type.matchAll(/'((?:[^']|'')*)'/g)) labels.push(m[1]!.replace(/''/g, "'"));
  return labels;
}
