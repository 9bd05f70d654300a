/**
 * The specification of a database integration: a snapshot of one schema, as `intctl introspect`
 * writes it into the repository (docs/databases.md). Generation reads only this file, never the
 * database, so Git holds the desired state and a schema change reaches reviewers as a diff.
 *
 * The file is JSON, written canonically (tables by name, columns in their table's order, keys
 * and constraints sorted), so the same schema always gives the same bytes.
 */
import { failed, ok, pointer, type Result, type SpecProblem } from '../generator.ts';

export const SNAPSHOT_FORMAT = 'intctl.dev/schema-snapshot/v1';

export type DatabaseSystem = 'postgresql' | 'mysql';

export interface SnapshotColumn {
  name: string;
  /** The column's type as the database spells it: `numeric(12,2)`, `integer[]`, `int(10) unsigned`, `order_status`. */
  type: string;
  nullable: boolean;
  /** The default expression, as the database gives it. */
  default?: string;
  /** Set by the database, never written: an identity or auto-increment column, or a generated (computed) one. */
  generated?: 'identity' | 'computed';
  /** The labels of an enum type (of the column, or of its elements for an array). */
  enum?: string[];
  comment?: string;
}

export interface SnapshotForeignKey {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
}

export interface SnapshotTable {
  name: string;
  kind: 'table' | 'view';
  comment?: string;
  columns: SnapshotColumn[];
  /** Empty: no primary key (the table is read-only). */
  primaryKey: string[];
  uniqueKeys: string[][];
  foreignKeys: SnapshotForeignKey[];
}

export interface SchemaSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  system: DatabaseSystem;
  /** The server's family: MariaDB and MySQL share the `mysql` system. */
  dialect: 'postgresql' | 'mysql' | 'mariadb';
  schema: string;
  tables: SnapshotTable[];
}

/**
 * Reads a snapshot of `system`: every problem at once, each naming its place in the file as a
 * JSON pointer (`/tables/2/columns/0/type`), never a throw. A snapshot of the other database
 * system is refused by name.
 */
export function readSnapshot(bytes: Uint8Array, system: DatabaseSystem): Result<SchemaSnapshot> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return failed([invalid('', 'the schema snapshot is not UTF-8 text')]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failed([invalid('', `the schema snapshot is not JSON (${(error as Error).message}); write it with intctl introspect --write`)]);
  }
  const problems: SpecProblem[] = [];
  const check = new Checker(problems);
  if (!check.object(value, '')) return failed(problems);
  if (value.format !== SNAPSHOT_FORMAT) problems.push(invalid('/format', `format must be ${SNAPSHOT_FORMAT}; this file is no schema snapshot intctl wrote`));
  if (value.system !== system) problems.push(invalid('/system', `is ${JSON.stringify(value.system)}, but the integration is of system ${system}`));
  const dialects = system === 'postgresql' ? ['postgresql'] : ['mysql', 'mariadb'];
  if (!dialects.includes(value.dialect as string)) problems.push(invalid('/dialect', `must be one of ${dialects.join(', ')}`));
  check.string(value.schema, '/schema');
  if (!Array.isArray(value.tables)) {
    problems.push(invalid('/tables', 'must be a list of tables'));
    return failed(problems);
  }
  const names = new Set<string>();
  for (const [i, table] of value.tables.entries()) {
    const at = pointer('tables', i);
    if (!check.table(table, at)) continue;
    if (names.has(table.name as string)) problems.push(invalid(`${at}/name`, `table ${table.name} appears twice`));
    names.add(table.name as string);
  }
  if (problems.length > 0) return failed(problems);
  return ok(value as unknown as SchemaSnapshot);
}

function invalid(at: string, message: string): SpecProblem {
  return { reason: 'SpecificationInvalid', pointer: at, message };
}

class Checker {
  constructor(private readonly problems: SpecProblem[]) {}

  object(value: unknown, at: string): value is Record<string, unknown> {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return true;
    this.problems.push(invalid(at, at === '' ? 'the schema snapshot must be a JSON object' : 'must be an object'));
    return false;
  }

  string(value: unknown, at: string): value is string {
    if (typeof value === 'string' && value !== '') return true;
    this.problems.push(invalid(at, 'must be a non-empty string'));
    return false;
  }

  names(value: unknown, at: string, columns: Set<string>, what: string): boolean {
    if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) {
      this.problems.push(invalid(at, `must be a list of column names (${what})`));
      return false;
    }
    for (const [i, name] of value.entries()) if (!columns.has(name as string)) this.problems.push(invalid(`${at}/${i}`, `column ${name} is not a column of the table`));
    return true;
  }

  table(table: unknown, at: string): table is Record<string, unknown> {
    if (!this.object(table, at) || !this.string(table.name, `${at}/name`)) return false;
    if (table.kind !== 'table' && table.kind !== 'view') this.problems.push(invalid(`${at}/kind`, 'must be table or view'));
    if (!Array.isArray(table.columns) || table.columns.length === 0) {
      this.problems.push(invalid(`${at}/columns`, `table ${table.name} must list its columns`));
      return false;
    }
    const columns = new Set<string>();
    for (const [i, column] of table.columns.entries()) {
      const c = `${at}/columns/${i}`;
      if (!this.object(column, c) || !this.string(column.name, `${c}/name`)) continue;
      if (columns.has(column.name)) this.problems.push(invalid(`${c}/name`, `column ${column.name} appears twice in table ${table.name}`));
      columns.add(column.name);
      this.string(column.type, `${c}/type`);
      if (typeof column.nullable !== 'boolean') this.problems.push(invalid(`${c}/nullable`, 'must be true or false'));
      if (column.generated !== undefined && column.generated !== 'identity' && column.generated !== 'computed') this.problems.push(invalid(`${c}/generated`, 'must be identity or computed'));
      if (column.enum !== undefined && (!Array.isArray(column.enum) || !column.enum.every((l) => typeof l === 'string'))) this.problems.push(invalid(`${c}/enum`, 'must be a list of labels'));
    }
    this.names(table.primaryKey, `${at}/primaryKey`, columns, 'the primary key; [] for none');
    if (!Array.isArray(table.uniqueKeys)) this.problems.push(invalid(`${at}/uniqueKeys`, 'must be a list of column lists'));
    else for (const [i, key] of table.uniqueKeys.entries()) this.names(key, `${at}/uniqueKeys/${i}`, columns, 'a unique key');
    if (!Array.isArray(table.foreignKeys)) this.problems.push(invalid(`${at}/foreignKeys`, 'must be a list'));
    else {
      for (const [i, fk] of table.foreignKeys.entries()) {
        const f = `${at}/foreignKeys/${i}`;
        if (!this.object(fk, f)) continue;
        this.names(fk.columns, `${f}/columns`, columns, 'the referencing columns');
        if (!this.object(fk.references, `${f}/references`)) continue;
        this.string(fk.references.table, `${f}/references/table`);
      }
    }
    return true;
  }
}
