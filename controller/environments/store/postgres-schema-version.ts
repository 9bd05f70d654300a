import type { SchemaVersionBook } from './migrate-schema.ts';

/**
 * PostgreSQL keeps the schema version in a one-row table `schema_version` of the environment's
 * own schema, as schemas made by earlier intctl versions do. Preparing takes an advisory lock
 * named after the schema, so replicas starting together migrate it once, and creates the schema
 * and the table when missing. `schema` must already be a checked identifier.
 */
export function postgresSchemaVersion(schema: string): SchemaVersionBook {
  return {
    async prepare(tx) {
      await tx.get('SELECT pg_advisory_xact_lock(hashtext(?))', [`intctl-environment:${schema}`]);
      await tx.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await tx.run(`SET LOCAL search_path TO "${schema}"`);
      await tx.run('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
      await tx.run('INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    },
    read: async (tx) => (await tx.get<{ version: number }>('SELECT version FROM schema_version WHERE id = 1'))!.version,
    write: async (tx, version) => void (await tx.run('UPDATE schema_version SET version = ? WHERE id = 1', [version])),
  };
}
