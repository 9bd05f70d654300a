import type { SqlDialect } from './sql-session.ts';

/**
 * One table, in SQL both dialects read alike, but for three column types: `{bigint}` (SQLite
 * INTEGER, PostgreSQL BIGINT), `{sequence}`, an integer key that only grows (SQLite INTEGER
 * PRIMARY KEY AUTOINCREMENT; PostgreSQL INTEGER PRIMARY KEY, numbered by the store under the lease
 * lock), and `{identity}`, an integer key the database numbers itself, growing and never reused
 * (SQLite INTEGER PRIMARY KEY AUTOINCREMENT; PostgreSQL BIGINT GENERATED ALWAYS AS IDENTITY). An
 * append-only table refuses every change and removal of a row, through triggers.
 */
export interface TableSchema {
  name: string;
  columns: readonly string[];
  appendOnly?: boolean;
}

/**
 * A change log: every row inserted, updated or deleted in one of the `tracked` tables (which have a
 * `name` key) appends the row's name and the table's name to `table`, through triggers, whoever
 * writes (the store, or an operator by hand); emptying a tracked table at once (PostgreSQL
 * TRUNCATE) appends the name EVERY_ROW. Each row of the log has a growing `seq`, and in
 * PostgreSQL writers of tracked tables take turns on the log until they commit, so entries become
 * visible in `seq` order: a reader that saw every entry up to n has missed none below it.
 */
export interface ChangeLogSchema {
  table: string;
  tracked: readonly string[];
}

/** The name a change log entry has when its whole table was emptied at once. */
export const EVERY_ROW = '*';

/** One migration step: its tables, then its indexes, then the rows it starts with, then its change logs. */
export interface SchemaStep {
  tables: readonly TableSchema[];
  indexes: readonly string[];
  rows: readonly string[];
  changeLogs?: readonly ChangeLogSchema[];
}

/**
 * The schema of an environment, one step per entry, the same for every dialect. A database
 * records how many steps it has (SQLite `PRAGMA user_version`, PostgreSQL table
 * `schema_version`). Steps are only ever appended: a released step is never edited, since
 * databases made by it must keep opening.
 */
export const ENVIRONMENT_SCHEMA: readonly SchemaStep[] = [
  {
    tables: [
      {
        name: 'meta',
        columns: [
          'id INTEGER PRIMARY KEY CHECK (id = 1)',
          'environment TEXT NOT NULL',
          'public_key TEXT NOT NULL',
          'private_key TEXT NOT NULL',
          'fingerprint_key TEXT NOT NULL',
          'created_at TEXT NOT NULL',
        ],
      },
      { name: 'dependencies', columns: ['name TEXT PRIMARY KEY', 'version TEXT NOT NULL'] },
      {
        name: 'integrations',
        columns: [
          'name TEXT PRIMARY KEY',
          'version TEXT NOT NULL',
          'artifact_hash TEXT NOT NULL',
          'system TEXT NOT NULL',
          'catalog TEXT NOT NULL',
          'requires TEXT NOT NULL',
          'connection TEXT NOT NULL',
          'commit_sha TEXT NOT NULL',
          'published_at TEXT NOT NULL',
        ],
      },
      {
        name: 'connections',
        columns: [
          'name TEXT PRIMARY KEY',
          'system TEXT NOT NULL',
          'auth_type TEXT NOT NULL',
          'parameters TEXT NOT NULL',
          'secrets TEXT NOT NULL',
          'fingerprint TEXT NOT NULL',
          'updated_at TEXT NOT NULL',
        ],
      },
      {
        name: 'action_log',
        columns: [
          'seq {sequence}',
          'action_id TEXT NOT NULL UNIQUE',
          'type TEXT NOT NULL',
          'target TEXT NOT NULL',
          'lease_token INTEGER NOT NULL',
          'commit_sha TEXT NOT NULL',
          'applied_at TEXT NOT NULL',
          'result TEXT NOT NULL',
        ],
        appendOnly: true,
      },
      { name: 'lease', columns: ['id INTEGER PRIMARY KEY CHECK (id = 1)', 'holder TEXT', 'token INTEGER NOT NULL', 'expires_at {bigint}'] },
    ],
    indexes: ['CREATE INDEX action_log_by_target ON action_log (target, type, seq)'],
    rows: ['INSERT INTO lease (id, holder, token, expires_at) VALUES (1, NULL, 0, NULL)'],
  },
  {
    // What changed since a reader last looked, so that observing an environment reads only that.
    tables: [{ name: 'changes', columns: ['seq {identity}', 'kind TEXT NOT NULL', 'name TEXT NOT NULL'] }],
    indexes: [],
    rows: [],
    changeLogs: [{ table: 'changes', tracked: ['integrations', 'connections'] }],
  },
  {
    // Observing reads every column of every integration but its catalog. SQLite stores a row's
    // columns in order and a large value on overflow pages, so the columns after the catalog were
    // reached only through its pages (10,000 integrations: about 300 MB read, 0.6 s); from this
    // index, a tenth of that. PostgreSQL keeps large values apart anyway, and has the index too.
    tables: [],
    indexes: ['CREATE INDEX integrations_observed ON integrations (name, version, artifact_hash, system, requires, connection, commit_sha, published_at)'],
    rows: [],
  },
];

type ColumnType = 'bigint' | 'sequence' | 'identity';

const TYPES: Record<SqlDialect, Record<ColumnType, string>> = {
  sqlite: { bigint: 'INTEGER', sequence: 'INTEGER PRIMARY KEY AUTOINCREMENT', identity: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgresql: { bigint: 'BIGINT', sequence: 'INTEGER PRIMARY KEY', identity: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY' },
};

/** The statements that make one step in a dialect, one statement an entry, in the order to run them. */
export function renderSchemaStep(step: SchemaStep, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  for (const table of step.tables) {
    const columns = table.columns.map((column) => column.replace(/\{(bigint|sequence|identity)\}/g, (_, type: ColumnType) => TYPES[dialect][type]));
    statements.push(`CREATE TABLE ${table.name} (\n  ${columns.join(',\n  ')}\n)`);
    if (table.appendOnly) statements.push(...appendOnly(table.name, dialect));
  }
  const logs = (step.changeLogs ?? []).flatMap((log) => changeLog(log, dialect));
  return [...statements, ...step.indexes, ...step.rows, ...logs];
}

/** The triggers that write a change log; in PostgreSQL, one function per log, which finds the log in the schema of the table that fired it. */
function changeLog(log: ChangeLogSchema, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  if (dialect === 'sqlite') {
    const record = (name: string): string => `INSERT INTO ${log.table} (kind, name) VALUES ('%TABLE%', ${name});`;
    for (const table of log.tracked) {
      const body = (text: string): string => text.replaceAll('%TABLE%', table);
      statements.push(
        body(`CREATE TRIGGER %TABLE%_inserted AFTER INSERT ON %TABLE% BEGIN ${record('NEW.name')} END`),
        body(`CREATE TRIGGER %TABLE%_updated AFTER UPDATE ON %TABLE% BEGIN ${record('OLD.name')} INSERT INTO ${log.table} (kind, name) SELECT '%TABLE%', NEW.name WHERE NEW.name IS NOT OLD.name; END`),
        body(`CREATE TRIGGER %TABLE%_deleted AFTER DELETE ON %TABLE% BEGIN ${record('OLD.name')} END`),
      );
    }
    return statements;
  }
  // The lock makes writers of tracked tables take turns until they commit, so a reader never sees
  // an entry while one below it is still to come (identity values are taken before commit).
  const append = (name: string): string => `EXECUTE format('INSERT INTO %I.${log.table} (kind, name) VALUES ($1, $2)', TG_TABLE_SCHEMA) USING TG_TABLE_NAME, ${name};`;
  statements.push(`CREATE FUNCTION ${log.table}_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('LOCK TABLE %I.${log.table} IN SHARE ROW EXCLUSIVE MODE', TG_TABLE_SCHEMA);
  IF TG_OP = 'TRUNCATE' THEN
    ${append(`'${EVERY_ROW}'`)}
  ELSIF TG_OP = 'INSERT' THEN
    ${append('NEW.name')}
  ELSIF TG_OP = 'DELETE' THEN
    ${append('OLD.name')}
  ELSE
    ${append('OLD.name')}
    IF NEW.name IS DISTINCT FROM OLD.name THEN
      ${append('NEW.name')}
    END IF;
  END IF;
  RETURN NULL;
END $$`);
  for (const table of log.tracked) {
    statements.push(
      `CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${log.table}_record()`,
      `CREATE TRIGGER ${table}_emptied AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${log.table}_record()`,
    );
  }
  return statements;
}

function appendOnly(table: string, dialect: SqlDialect): string[] {
  const refusal = `${table} is append-only`;
  if (dialect === 'sqlite') {
    return [
      `CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${refusal}'); END`,
      `CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${refusal}'); END`,
    ];
  }
  return [
    `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${refusal}'; END $$`,
    `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
    `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`,
  ];
}
