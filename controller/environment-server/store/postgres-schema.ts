import type pg from 'pg';
import { SchemaTooNewError } from '../../environments/embedded/migrations.ts';
import type { MetaRow } from '../../environments/embedded/rows.ts';
import { generateFingerprintKey } from '../../secrets/connection-fingerprint.ts';
import { generateKeyPair } from '../../secrets/generate-key-pair.ts';

/**
 * The schema of an environment kept in PostgreSQL: the same tables and rules as the embedded
 * SQLite store (controller/environments/embedded/migrations.ts), one database schema per
 * environment. Steps are only ever appended; `schema_version` counts those a schema has.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    environment TEXT NOT NULL,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    fingerprint_key TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE dependencies (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL
  );
  CREATE TABLE integrations (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    artifact_hash TEXT NOT NULL,
    system TEXT NOT NULL,
    catalog TEXT NOT NULL,
    requires TEXT NOT NULL,
    connection TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    published_at TEXT NOT NULL
  );
  CREATE TABLE connections (
    name TEXT PRIMARY KEY,
    system TEXT NOT NULL,
    auth_type TEXT NOT NULL,
    parameters TEXT NOT NULL,
    secrets TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE action_log (
    seq INTEGER PRIMARY KEY,
    action_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    target TEXT NOT NULL,
    lease_token INTEGER NOT NULL,
    commit_sha TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    result TEXT NOT NULL
  );
  CREATE INDEX action_log_by_target ON action_log (target, type, seq);
  CREATE FUNCTION action_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'action_log is append-only'; END $$;
  CREATE TRIGGER action_log_no_change BEFORE UPDATE OR DELETE ON action_log
    FOR EACH ROW EXECUTE FUNCTION action_log_append_only();
  CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON action_log
    FOR EACH STATEMENT EXECUTE FUNCTION action_log_append_only();
  CREATE TABLE lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    token INTEGER NOT NULL,
    expires_at BIGINT
  );
  INSERT INTO lease (id, holder, token, expires_at) VALUES (1, NULL, 0, NULL);
  `,
];

/**
 * Brings the environment's schema to the newest version and makes its keys when it has none, in
 * one transaction under an advisory lock, so replicas starting together migrate it once.
 * Returns the environment's meta row.
 */
export async function migrate(pool: pg.Pool, schema: string, name: string, now: () => Date): Promise<MetaRow> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`intctl-environment:${schema}`]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await c.query(`SET LOCAL search_path TO "${schema}"`);
    await c.query('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    await c.query('INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const version = (await c.query<{ version: number }>('SELECT version FROM schema_version WHERE id = 1')).rows[0]!.version;
    if (version > POSTGRES_MIGRATIONS.length) {
      throw new SchemaTooNewError(`schema ${schema} has schema version ${version}; this intctl knows up to ${POSTGRES_MIGRATIONS.length}: upgrade intctl`);
    }
    for (let step = version; step < POSTGRES_MIGRATIONS.length; step++) await c.query(POSTGRES_MIGRATIONS[step]!);
    await c.query('UPDATE schema_version SET version = $1 WHERE id = 1', [POSTGRES_MIGRATIONS.length]);
    let meta = (await c.query<MetaRow>('SELECT environment, public_key, private_key, fingerprint_key, created_at FROM meta WHERE id = 1')).rows[0];
    if (!meta) {
      const keys = generateKeyPair();
      meta = { environment: name, public_key: keys.publicKey, private_key: keys.privateKey, fingerprint_key: generateFingerprintKey(), created_at: now().toISOString() };
      await c.query('INSERT INTO meta (id, environment, public_key, private_key, fingerprint_key, created_at) VALUES (1, $1, $2, $3, $4, $5)', [
        meta.environment,
        meta.public_key,
        meta.private_key,
        meta.fingerprint_key,
        meta.created_at,
      ]);
    }
    await c.query('COMMIT');
    return meta;
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    c.release();
  }
}
