import type { SchemaVersionBook } from './migrate-schema.ts';

/**
 * SQLite keeps the schema version in the file header (`PRAGMA user_version`), as files made by
 * earlier intctl versions do. The write transaction (BEGIN IMMEDIATE) already keeps a second
 * opener out, so there is nothing to prepare.
 */
export const SQLITE_SCHEMA_VERSION: SchemaVersionBook = {
  prepare: async () => undefined,
  read: async (tx) => (await tx.get<{ user_version: number }>('PRAGMA user_version'))!.user_version,
  write: async (tx, version) => void (await tx.run(`PRAGMA user_version = ${Math.trunc(version)}`)),
};
