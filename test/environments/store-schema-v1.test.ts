import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { ENVIRONMENT_SCHEMA, renderSchemaStep } from '../../controller/environments/store/environment-schema.ts';
import type { SqlDialect } from '../../controller/environments/store/sql-session.ts';
import type { SqlEnvironmentStore } from '../../controller/environments/store/sql-environment-store.ts';
import { openPostgresStore } from '../../controller/environment-server/store/open-postgres-store.ts';
import { generateFingerprintKey } from '../../controller/secrets/connection-fingerprint.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { testKeyFile } from '../support/key-files.ts';
import { hash, integration, unpublish } from './support/plan-fixtures.ts';
import { POSTGRES_SCHEMA_V1, SQLITE_SCHEMA_V1 } from './support/schema-v1.ts';

const KEYS = { ...generateKeyPair(), fingerprintKey: generateFingerprintKey() };
const ACCOUNTS = integration('accounts');
const AT = '2026-11-01T08:00:00.000Z';
const COMMIT = 'c'.repeat(40);

/**
 * What intctl kept in a database of schema step 1 before this change: its keys, a published
 * integration with its log entry, and an expired lease of token 3. Each statement runs as the
 * code of the time ran it (`?` placeholders; SQLite numbered the log itself).
 */
function oldState(numberLog: boolean): Array<[string, unknown[]]> {
  return [
    ['INSERT INTO meta (id, environment, public_key, private_key, fingerprint_key, created_at) VALUES (1, ?, ?, ?, ?, ?)', ['dev', KEYS.publicKey, KEYS.privateKey, KEYS.fingerprintKey, AT]],
    ["UPDATE lease SET holder = 'controller-old', token = 3, expires_at = ? WHERE id = 1", [Date.parse(AT) + 30_000]],
    [
      'INSERT INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [ACCOUNTS.name, ACCOUNTS.version, ACCOUNTS.artifactHash, ACCOUNTS.system, JSON.stringify(ACCOUNTS.catalog), JSON.stringify(ACCOUNTS.requires), ACCOUNTS.connection, ACCOUNTS.commit, AT],
    ],
    [
      `INSERT INTO action_log (${numberLog ? 'seq, ' : ''}action_id, type, target, lease_token, commit_sha, applied_at, result) VALUES (${numberLog ? '1, ' : ''}?, ?, ?, ?, ?, ?, ?)`,
      ['publish:accounts@0.old', 'Publish', 'accounts', 3, COMMIT, AT, ACCOUNTS.artifactHash],
    ],
  ];
}

/** The new code reads the old state as it was, and leases and applies on top of it, continuing token and log. */
async function expectOpensAndApplies(store: SqlEnvironmentStore): Promise<void> {
  expect({ publicKey: await store.publicKey(), fingerprintKey: await store.fingerprintKey(), pair: store.keyPair() }).toEqual({
    publicKey: KEYS.publicKey,
    fingerprintKey: KEYS.fingerprintKey,
    pair: { publicKey: KEYS.publicKey, privateKey: KEYS.privateKey },
  });
  expect(await store.observe()).toEqual({
    environment: 'dev',
    dependencies: {},
    integrations: [{ ...ACCOUNTS, publishedAt: AT }],
    connections: [],
    logHead: 1,
    lastApplied: { integrations: { accounts: hash('accounts') }, connections: {} },
  });
  const lease = await store.acquireLease('controller-new', 30_000);
  expect(lease).toMatchObject({ holder: 'controller-new', token: 4 });
  expect(await store.apply(unpublish('accounts', 'unpublish:accounts@1.new'), { lease: lease!, commit: COMMIT, plan: { head: 1, id: '1.new' } })).toBe('applied');
  expect((await store.actionLog()).map((e) => [e.seq, e.actionId, e.leaseToken])).toEqual([
    [1, 'publish:accounts@0.old', 3],
    [2, 'unpublish:accounts@1.new', 4],
  ]);
  expect(await store.integration('accounts')).toBeUndefined();
}

/** The statements a SQLite file was made with, white space aside. */
function sqliteSchema(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare<[], { type: string; name: string; sql: string | null }>('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();
    return [db.pragma('user_version', { simple: true }), ...rows.map((r) => ({ ...r, sql: r.sql?.replace(/\s+/g, ' ').replace(/\s*([(),;])\s*/g, '$1').trim() }))];
  } finally {
    db.close();
  }
}

/** The tables, columns, constraints, indexes and triggers of a PostgreSQL schema, and its recorded version. */
async function postgresSchema(client: pg.Client, schema: string): Promise<unknown[]> {
  const queries = [
    'SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position',
    "SELECT table_name, regexp_replace(constraint_name, '^[0-9]+_[0-9]+_', '') AS name, constraint_type FROM information_schema.table_constraints WHERE table_schema = $1 ORDER BY 1, 2", // NOT NULL constraints are named by object ids
    "SELECT indexname, replace(indexdef, $1 || '.', '') AS indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname",
    "SELECT trigger_name, event_manipulation, event_object_table, action_timing, replace(action_statement, $1 || '.', '') AS action_statement FROM information_schema.triggers WHERE trigger_schema = $1 ORDER BY trigger_name, event_manipulation",
    `SELECT version FROM "${schema}".schema_version`,
  ];
  const out: unknown[] = [];
  for (const sql of queries) out.push((await client.query(sql, sql.includes('$1') ? [schema] : [])).rows);
  return out;
}

/** The statements of the steps after the first, as the migration runs them: a database of step 1 gains these and nothing else. */
function laterSteps(dialect: SqlDialect): string[] {
  return ENVIRONMENT_SCHEMA.slice(1).flatMap((step) => renderSchemaStep(step, dialect));
}

/** A SQLite file of step 1 as the code of the time made it, with the later steps run on it when `migrated`. */
function sqliteOfStep1(path: string, migrated: boolean, state: Array<[string, unknown[]]> = []): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SQLITE_SCHEMA_V1);
  db.pragma('user_version = 1');
  for (const [sql, params] of state) db.prepare(sql).run(...params);
  if (migrated) {
    for (const statement of laterSteps('sqlite')) db.exec(statement);
    db.pragma(`user_version = ${ENVIRONMENT_SCHEMA.length}`);
  }
  db.close();
}

/** A PostgreSQL schema of step 1 as the code of the time made it, with the later steps run on it when `migrated`. */
async function postgresOfStep1(client: pg.Client, schema: string, migrated: boolean): Promise<void> {
  await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
  await client.query(POSTGRES_SCHEMA_V1);
  await client.query('CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1, 1)');
  if (migrated) {
    for (const statement of laterSteps('postgresql')) await client.query(statement);
    await client.query('UPDATE schema_version SET version = $1', [ENVIRONMENT_SCHEMA.length]);
  }
}

describe('a database made by schema step 1 before the store was written once', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const sqliteFile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'intctl-schema-v1-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'dev.db');
  };
  const postgresClient = async (): Promise<{ client: pg.Client; schema: string }> => {
    const schema = uniqueSchema();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    cleanups.push(async () => {
      await client.end();
      await dropSchema(schema);
    });
    return { client, schema };
  };

  it('SQLite: a new file gets the same schema as step 1 and the later steps, statement for statement', async () => {
    const [old, fresh] = [await sqliteFile(), await sqliteFile()];
    sqliteOfStep1(old, true);
    (await openEmbeddedEnvironment(fresh, { name: 'dev' })).close();
    expect(sqliteSchema(fresh)).toEqual(sqliteSchema(old));
  });

  it('SQLite: opens with its keys, state, lease and log, gains the later steps only, and applies on top of them', async () => {
    const [path, reference] = [await sqliteFile(), await sqliteFile()];
    sqliteOfStep1(path, false, oldState(false));
    sqliteOfStep1(reference, true);
    const after = sqliteSchema(reference);

    const store = await openEmbeddedEnvironment(path, { name: 'dev', now: () => new Date(Date.parse(AT) + 60_000) });
    cleanups.push(() => store.close());
    expect(store.created).toBe(false);
    await expectOpensAndApplies(store);
    expect(sqliteSchema(path)).toEqual(after);
  });

  it('PostgreSQL: a new schema gets the same tables, constraints, indexes and triggers as step 1 and the later steps', async () => {
    const old = await postgresClient();
    const fresh = await postgresClient();
    await postgresOfStep1(old.client, old.schema, true);
    await (await openPostgresStore({ name: 'dev', connectionString: DATABASE_URL, schema: fresh.schema, poolSize: 1, keyFile: testKeyFile() })).close();
    expect(await postgresSchema(fresh.client, fresh.schema)).toEqual(await postgresSchema(old.client, old.schema));
  });

  it('PostgreSQL: opens with its keys, state, lease and log, gains the later steps only, and applies on top of them', async () => {
    const { client, schema } = await postgresClient();
    await postgresOfStep1(client, schema, false);
    for (const [sql, params] of oldState(true)) {
      let n = 0;
      await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
    }
    const reference = await postgresClient();
    await postgresOfStep1(reference.client, reference.schema, true);
    const after = (await postgresSchema(reference.client, reference.schema)).map((rows) => JSON.parse(JSON.stringify(rows).replaceAll(reference.schema, schema)) as unknown);

    const store = await openPostgresStore({ name: 'dev', connectionString: DATABASE_URL, schema, poolSize: 2, keyFile: testKeyFile(), now: () => new Date(Date.parse(AT) + 60_000) });
    cleanups.push(() => store.close());
    await expectOpensAndApplies(store);
    expect(await postgresSchema(client, schema)).toEqual(after);
  });
});
