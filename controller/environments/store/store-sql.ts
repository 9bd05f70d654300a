import type { SqlDialect } from './sql-session.ts';

/**
 * Every statement the environment store runs, written once with `?` placeholders. The dialects
 * differ in two fragments only: PostgreSQL locks the lease row for the rest of a write
 * transaction (SQLite's BEGIN IMMEDIATE already holds the whole database), and orders names
 * bytewise (`COLLATE "C"`), as SQLite does by default.
 */
export function storeSql(dialect: SqlDialect) {
  const lock = dialect === 'postgresql' ? ' FOR UPDATE' : '';
  const byName = dialect === 'postgresql' ? 'ORDER BY name COLLATE "C"' : 'ORDER BY name';
  return {
    meta: 'SELECT environment, public_key, private_key, fingerprint_key, created_at FROM meta WHERE id = 1',
    insertMeta: 'INSERT INTO meta (id, environment, public_key, private_key, fingerprint_key, created_at) VALUES (1, ?, ?, ?, ?, ?)',
    /** Stores the secret keys in another form (wrapped, or wrapped with another key file); the keys themselves never change. */
    restoreKeys: 'UPDATE meta SET private_key = ?, fingerprint_key = ? WHERE id = 1',

    dependencies: `SELECT name, version FROM dependencies ${byName}`,
    integrations: `SELECT * FROM integrations ${byName}`,
    connections: `SELECT * FROM connections ${byName}`,
    integration: 'SELECT * FROM integrations WHERE name = ?',
    /** Every column but the catalog, which is read by name when asked for (catalogAt). */
    integrationsWithoutCatalog: `SELECT name, version, artifact_hash, system, requires, connection, commit_sha, published_at FROM integrations ${byName}`,
    catalogAt: 'SELECT catalog FROM integrations WHERE name = ? AND artifact_hash = ?',
    /** One integration without its catalog: the runtime reads it per call and takes the catalog from its cache. */
    integrationWithoutCatalog: 'SELECT name, version, artifact_hash, system, requires, connection, commit_sha, published_at FROM integrations WHERE name = ?',
    connection: 'SELECT * FROM connections WHERE name = ?',

    logHead: 'SELECT COALESCE(MAX(seq), 0) AS head FROM action_log',
    /** The last entry per target among entries of two types (a setter and its remover). */
    lastOfTypes: 'SELECT type, target, result FROM action_log WHERE seq IN (SELECT MAX(seq) FROM action_log WHERE type IN (?, ?) GROUP BY target)',
    /** The entries of the same four types after a seq, oldest first: what changed lastOfTypes since then. */
    appliedSince: "SELECT type, target, result FROM action_log WHERE seq > ? AND type IN ('Publish', 'Unpublish', 'UpsertConnection', 'DeleteConnection') ORDER BY seq",
    log: 'SELECT * FROM action_log ORDER BY seq',

    /** The oldest and newest entry the change log still holds (0 and 0 when it holds none). */
    changesRange: 'SELECT COALESCE(MIN(seq), 0) AS tail, COALESCE(MAX(seq), 0) AS head FROM changes',
    changedSince: 'SELECT kind, name FROM changes WHERE seq > ? ORDER BY seq',
    /** Keeps the newest entries of the change log only; a reader further behind reads everything. */
    pruneChanges: 'DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?',
    logged: 'SELECT seq FROM action_log WHERE action_id = ?',
    /** The newest log entry: whether the log moved past a plan's head with another plan's actions. */
    last: 'SELECT seq, action_id FROM action_log ORDER BY seq DESC LIMIT 1',
    /** The next seq is taken under the write lock, so the log has no gaps. */
    append: `INSERT INTO action_log (seq, action_id, type, target, lease_token, commit_sha, applied_at, result)
             VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM action_log), ?, ?, ?, ?, ?, ?, ?)`,

    lease: `SELECT holder, token, expires_at FROM lease WHERE id = 1${lock}`,
    setLease: 'UPDATE lease SET holder = ?, token = ?, expires_at = ? WHERE id = 1',

    setDependency: 'INSERT INTO dependencies (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
    upsertConnection: `INSERT INTO connections (name, system, auth_type, parameters, secrets, fingerprint, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET system = excluded.system, auth_type = excluded.auth_type, parameters = excluded.parameters,
        secrets = excluded.secrets, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
    deleteConnection: 'DELETE FROM connections WHERE name = ?',
    upsertIntegration: `INSERT INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET version = excluded.version, artifact_hash = excluded.artifact_hash, system = excluded.system,
        catalog = excluded.catalog, requires = excluded.requires, connection = excluded.connection, commit_sha = excluded.commit_sha,
        published_at = excluded.published_at`,
    deleteIntegration: 'DELETE FROM integrations WHERE name = ?',
  } as const;
}

/** The statements of one dialect. */
export type StoreSql = ReturnType<typeof storeSql>;
