import { openDatabase } from '../../action-runtime/database/database-pools.ts';
import { databaseFailure } from '../../action-runtime/database/database-failure.ts';
import type { IntegrationSource } from '../../generated/manifests.ts';
import type { Generator } from '../../generators/generator.ts';
import type { SchemaSnapshot } from '../../generators/sql-shared/schema-snapshot.ts';
import type { Checked, Introspected, IntrospectRequest, Introspector } from './introspectors.ts';
import { readMysqlSchema } from './read-mysql-schema.ts';
import { readPostgresqlSchema } from './read-postgresql-schema.ts';
import { SchemaMissingError, snapshotBytes } from './snapshot-parts.ts';

/** How long introspection waits for the database to answer, per statement and to connect. */
const TIMEOUT_MS = 15_000;

/**
 * The introspector of a database system: connects with the connection's endpoint, user and
 * password, reads one schema (`spec.source.introspect.schemas[0]`; by default `public` for
 * PostgreSQL, the connection's database for MySQL) and gives its snapshot. Every failure is a
 * message that names the database and what to fix, never the password.
 */
export function databaseIntrospector(generator: Generator<SchemaSnapshot>): Introspector {
  return {
    items: 'tables and views',
    async read(request: IntrospectRequest): Promise<Introspected> {
      const opened = openDatabase(request.connection, request.secrets, { timeoutMs: TIMEOUT_MS });
      if (!opened.ok) return { ok: false, message: opened.message };
      const { db, address } = opened;
      const schema = request.source?.introspect?.schemas?.[0] ?? (address.kind === 'postgresql' ? 'public' : address.database);
      try {
        const snapshot = address.kind === 'postgresql' ? await readPostgresqlSchema(db, schema) : await readMysqlSchema(db, schema);
        return { ok: true, from: `${address.kind} database ${address.database} at ${address.host}:${address.port}, schema ${schema}`, bytes: snapshotBytes(snapshot) };
      } catch (error) {
        if (error instanceof SchemaMissingError) return { ok: false, message: error.message };
        const failure = databaseFailure(error, { action: 'introspect', table: schema, address });
        return { ok: false, message: failure.body.message.replace(/^introspect: /, '') };
      } finally {
        await db.destroy();
      }
    },
    async check(bytes: Uint8Array, source: IntegrationSource): Promise<Checked> {
      const { path: _path, ...options } = source;
      const model = await generator.parse(bytes, options);
      if (!model.ok) return { ok: false, message: model.problems.map((p) => `${p.pointer ? `${p.pointer}: ` : ''}${p.message}`).join('; ') };
      return { ok: true, items: model.value.tables.map((t) => t.name) };
    },
  };
}
