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

/** The snapshot file's bytes: JSON with two-space indentation, tables by name, and a final newline. */
export function snapshotBytes(snapshot: SchemaSnapshot): Uint8Array {
  const sorted = { ...snapshot, tables: [...snapshot.tables].sort((a, b) => byText(a.name, b.name)) };
  return new TextEncoder().encode(`${JSON.stringify(sorted, null, 2)}\n`);
}
