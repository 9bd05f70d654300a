import type { SqlDialect } from './sql-session.ts';

/**
 * One table, in SQL both dialects read alike, but for two column types: `{bigint}` (SQLite
 * INTEGER, PostgreSQL BIGINT) and `{sequence}`, an integer key that only grows (SQLite INTEGER
 * PRIMARY KEY AUTOINCREMENT; PostgreSQL INTEGER PRIMARY KEY, numbered by the store under the lease
 * lock). An append-only table refuses every change and removal of a row, through triggers.
 */
export interface TableSchema {
  name: string;
  columns: readonly string[];
  appendOnly?: boolean;
}

/** One migration step: its tables, then its indexes, then the rows it starts with. */
export interface SchemaStep {
  tables: readonly TableSchema[];
  indexes: readonly string[];
  rows: readonly string[];
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
];

const TYPES: Record<SqlDialect, Record<'bigint' | 'sequence', string>> = {
  sqlite: { bigint: 'INTEGER', sequence: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
  postgresql: { bigint: 'BIGINT', sequence: 'INTEGER PRIMARY KEY' },
};

/** The statements that make one step in a dialect, one statement an entry, in the order to run them. */
export function renderSchemaStep(step: SchemaStep, dialect: SqlDialect): string[] {
  const statements: string[] = [];
  for (const table of step.tables) {
    const columns = table.columns.map((column) => column.replace(/\{(bigint|sequence)\}/g, (_, type: 'bigint' | 'sequence') => TYPES[dialect][type]));
    statements.push(`CREATE TABLE ${table.name} (\n  ${columns.join(',\n  ')}\n)`);
    if (table.appendOnly) statements.push(...appendOnly(table.name, dialect));
  }
  return [...statements, ...step.indexes, ...step.rows];
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
