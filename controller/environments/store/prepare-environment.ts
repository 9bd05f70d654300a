import { generateFingerprintKey } from '../../secrets/connection-fingerprint.ts';
import { generateKeyPair, type KeyPair } from '../../secrets/generate-key-pair.ts';
import { migrateSchema, type SchemaVersionBook } from './migrate-schema.ts';
import type { MetaRow } from './rows.ts';
import type { SqlSession } from './sql-session.ts';
import { storeSql } from './store-sql.ts';

export interface PrepareEnvironmentOptions {
  /** The environment's name; a database made for another environment is refused. */
  name: string;
  /** Stamps the environment's creation. */
  now: () => Date;
  /** Names the database in messages: its file, or `schema <name>`. */
  place: string;
  /** Where the dialect records the schema version. */
  schemaVersion: SchemaVersionBook;
}

/** What an environment's database holds about the environment itself. */
export interface PreparedEnvironment {
  keyPair: KeyPair;
  fingerprintKey: string;
  /** True when this call made the environment and its keys. */
  created: boolean;
}

/** The database holds another environment: a path or schema in the configuration points at the wrong store. */
export class EnvironmentMismatchError extends Error {
  readonly reason = 'EnvironmentMismatch';
}

/**
 * Makes a session's database ready to serve an environment, in one write transaction: brings it
 * to the newest schema and makes the environment's key pair and fingerprint key when it has none.
 * Idempotent, and safe for openers racing on one database: an existing environment keeps its
 * keys. A database of another environment throws EnvironmentMismatchError.
 */
export async function prepareEnvironment(session: SqlSession, options: PrepareEnvironmentOptions): Promise<PreparedEnvironment> {
  const sql = storeSql(session.dialect);
  const { meta, created } = await session.transaction('write', async (tx) => {
    await migrateSchema(tx, session.dialect, options.schemaVersion, options.place);
    const existing = await tx.get<MetaRow>(sql.meta);
    if (existing) return { meta: existing, created: false };
    const keys = generateKeyPair();
    const made: MetaRow = {
      environment: options.name,
      public_key: keys.publicKey,
      private_key: keys.privateKey,
      fingerprint_key: generateFingerprintKey(),
      created_at: options.now().toISOString(),
    };
    await tx.run(sql.insertMeta, [made.environment, made.public_key, made.private_key, made.fingerprint_key, made.created_at]);
    return { meta: made, created: true };
  });
  if (meta.environment !== options.name) throw new EnvironmentMismatchError(`${options.place} holds environment ${meta.environment}, not ${options.name}`);
  return { keyPair: { publicKey: meta.public_key, privateKey: meta.private_key }, fingerprintKey: meta.fingerprint_key, created };
}
