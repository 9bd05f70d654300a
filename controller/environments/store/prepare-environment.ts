import { generateFingerprintKey } from '../../secrets/connection-fingerprint.ts';
import { generateKeyPair, type KeyPair } from '../../secrets/generate-key-pair.ts';
import { migrateSchema, type SchemaVersionBook } from './migrate-schema.ts';
import type { MetaRow } from './rows.ts';
import type { SqlSession } from './sql-session.ts';
import { storeSql } from './store-sql.ts';
import { openStoredKeys, storeKeys, type KeyEvent, type KeyFiles } from './stored-keys.ts';

export interface PrepareEnvironmentOptions extends KeyFiles {
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
  /** How the secret keys were found and kept (see KeyEvent); `made` when this call made them. */
  keys: KeyEvent | 'made';
}

/** The database holds another environment: a path or schema in the configuration points at the wrong store. */
export class EnvironmentMismatchError extends Error {
  readonly reason = 'EnvironmentMismatch';
}

/**
 * Makes a session's database ready to serve an environment, in one write transaction: brings it
 * to the newest schema and makes the environment's key pair and fingerprint key when it has none.
 * With a key file, the private key and the fingerprint key are stored only wrapped with it: new
 * keys are wrapped as they are made, keys found in the clear are wrapped in the same transaction,
 * keys wrapped with the previous key file are rewrapped. Idempotent, and safe for openers racing on
 * one database (the transaction serializes them): an existing environment keeps its keys. A
 * database of another environment throws EnvironmentMismatchError; keys that do not open with the
 * key files given throw EnvironmentKeyError, and nothing is changed.
 */
export async function prepareEnvironment(session: SqlSession, options: PrepareEnvironmentOptions): Promise<PreparedEnvironment> {
  const sql = storeSql(session.dialect);
  const files: KeyFiles = { ...(options.keyFile ? { keyFile: options.keyFile } : {}), ...(options.previousKeyFile ? { previousKeyFile: options.previousKeyFile } : {}) };
  const { meta, keys } = await session.transaction('write', async (tx) => {
    await migrateSchema(tx, session.dialect, options.schemaVersion, options.place);
    const existing = await tx.get<MetaRow>(sql.meta);
    if (existing) {
      if (existing.environment !== options.name) throw new EnvironmentMismatchError(`${options.place} holds environment ${existing.environment}, not ${options.name}`);
      const opened = openStoredKeys(existing.environment, existing, files, options.place);
      if (opened.restore) await tx.run(sql.restoreKeys, [opened.restore.private_key, opened.restore.fingerprint_key]);
      return { meta: { ...existing, ...opened.keys }, keys: opened.event };
    }
    const pair = generateKeyPair();
    const made: MetaRow = {
      environment: options.name,
      public_key: pair.publicKey,
      private_key: pair.privateKey,
      fingerprint_key: generateFingerprintKey(),
      created_at: options.now().toISOString(),
    };
    const stored = storeKeys(made.environment, made, files);
    await tx.run(sql.insertMeta, [made.environment, made.public_key, stored.private_key, stored.fingerprint_key, made.created_at]);
    return { meta: made, keys: 'made' as const };
  });
  return { keyPair: { publicKey: meta.public_key, privateKey: meta.private_key }, fingerprintKey: meta.fingerprint_key, created: keys === 'made', keys };
}
