import type { Database } from 'better-sqlite3';

/**
 * The schema of an embedded environment, one step per entry; `PRAGMA user_version` counts the
 * steps a file has. Steps are only ever appended: a released step is never edited.
 */
export const MIGRATIONS: readonly string[] = [
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
  `,
];

/** The file was written by a newer intctl, whose schema this one does not know. */
export class SchemaTooNewError extends Error {
  readonly reason = 'SchemaTooNew';
}

/**
 * Brings a database to the newest schema, in one immediate transaction, so two processes opening
 * a new file at once cannot both migrate it. Returns the version the file had before.
 */
export function migrate(db: Database, path: string): number {
  return db
    .transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new SchemaTooNewError(`${path} has schema version ${version}; this intctl knows up to ${MIGRATIONS.length}: upgrade intctl`);
      }
      for (let step = version; step < MIGRATIONS.length; step++) db.exec(MIGRATIONS[step]!);
      if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
      return version;
    })
    .immediate();
}
