import type { SchemaSnapshot, SnapshotTable } from '../../generators/sql-shared/schema-snapshot.ts';

/** The schema to read is not in the database: the message lists those that are. */
export class SchemaMissingError extends Error {}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A table with its unique keys and foreign keys in a fixed order, whatever order the catalog gave. */
export function sortKeys(table: SnapshotTable): SnapshotTable {
  return {
    ...table,
    uniqueKeys: [...table.uniqueKeys].sort((a, b) => byText(a.join('\0'), b.join('\0'))),
    foreignKeys: [...table.foreignKeys].sort((a, b) => byText(a.name, b.name)),
  };
}

/**
 * The snapshot file's bytes: JSON with two-space indentation, tables by name, every object's
 * keys in one fixed order (whatever order they were filled in), and a final newline.
 */
export function snapshotBytes(snapshot: SchemaSnapshot): Uint8Array {
  const tables = [...snapshot.tables].sort((a, b) => byText(a.name, b.name)).map(canonicalTable);
  const ordered: SchemaSnapshot = { format: snapshot.format, system: snapshot.system, dialect: snapshot.dialect, schema: snapshot.schema, tables };
  return new TextEncoder().encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

function canonicalTable(table: SnapshotTable): SnapshotTable {
  return {
    name: table.name,
    kind: table.kind,
    ...(table.comment !== undefined ? { comment: table.comment } : {}),
    columns: table.columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: c.nullable,
      ...(c.default !== undefined ? { default: c.default } : {}),
      ...(c.generated !== undefined ? { generated: c.generated } : {}),
      ...(c.enum !== undefined ? { enum: c.enum } : {}),
      ...(c.comment !== undefined ? { comment: c.comment } : {}),
    })),
    primaryKey: table.primaryKey,
    uniqueKeys: table.uniqueKeys,
    foreignKeys: table.foreignKeys.map((f) => ({ name: f.name, columns: f.columns, references: { table: f.references.table, columns: f.references.columns } })),
  };
}
