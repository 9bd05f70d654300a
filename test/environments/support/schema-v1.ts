/**
 * The schema step 1 as intctl wrote it before the environment store was written once over a SQL
 * session: the text of MIGRATIONS[0] (controller/environments/embedded/migrations.ts) and of
 * POSTGRES_MIGRATIONS[0] (controller/environment-server/store/postgres-schema.ts) at commit
 * 4a87dde, copied verbatim. Files and schemas made by it must keep opening unchanged.
 */

/** SQLite; the file's `PRAGMA user_version` was then set to 1. */
export const SQLITE_SCHEMA_V1 = `
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
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    target TEXT NOT NULL,
    lease_token INTEGER NOT NULL,
    commit_sha TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    result TEXT NOT NULL
  );
  CREATE INDEX action_log_by_target ON action_log (target, type, seq);
  CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log
    BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END;
  CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log
    BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END;
  CREATE TABLE lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    token INTEGER NOT NULL,
    expires_at INTEGER
  );
  INSERT INTO lease (id, holder, token, expires_at) VALUES (1, NULL, 0, NULL);
  `;

/** PostgreSQL, run in the environment's schema; its `schema_version` row was then set to 1. */
export const POSTGRES_SCHEMA_V1 = `
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
  `;
