import { ENVIRONMENT_SCHEMA, renderSchemaStep } from './environment-schema.ts';
import type { SqlDialect, SqlExecutor } from './sql-session.ts';

/**
 * Where a dialect records how many schema steps a database has. `prepare` runs first in the
 * migrating transaction: it takes whatever lock makes concurrent openers migrate one at a time
 * and makes the record when missing.
 */
export interface SchemaVersionBook {
  prepare(tx: SqlExecutor): Promise<void>;
  read(tx: SqlExecutor): Promise<number>;
  write(tx: SqlExecutor, version: number): Promise<void>;
}

/** The database was written by a newer intctl, whose schema this one does not know. */
export class SchemaTooNewError extends Error {
  readonly reason = 'SchemaTooNew';
}

/**
 * Brings a database to the newest schema inside the caller's write transaction: runs the steps it
 * lacks and records the new count. A database at a newer version than this intctl knows throws
 * SchemaTooNewError; `place` names it in the message (a file, a schema). Returns the version the
 * database had before.
 */
export async function migrateSchema(tx: SqlExecutor, dialect: SqlDialect, book: SchemaVersionBook, place: string): Promise<number> {
  await book.prepare(tx);
  const version = await book.read(tx);
  const newest = ENVIRONMENT_SCHEMA.length;
  if (version > newest) throw new SchemaTooNewError(`${place} has schema version ${version}; this intctl knows up to ${newest}: upgrade intctl`);
  if (version === newest) return version;
  for (const step of ENVIRONMENT_SCHEMA.slice(version)) {
    for (const statement of renderSchemaStep(step, dialect)) await tx.run(statement);
  }
  await book.write(tx, newest);
  return version;
}
