/**
 * The small SQL surface the environment store is written against, once for every database. A
 * session runs statements written with `?` placeholders and returns plain rows (integers as
 * numbers, whatever the database's width); each dialect's session turns its library's errors into
 * the driver's errors at this boundary, so the store above never sees a library error.
 */

/** The databases an environment can be kept in. */
export type SqlDialect = 'sqlite' | 'postgresql';

/** Positional values for the `?` placeholders of one statement, in order. */
export type SqlParams = readonly (string | number | null)[];

/**
 * `write`: serialized with every other writer of the database until it ends (SQLite
 * `BEGIN IMMEDIATE`; PostgreSQL `BEGIN`, the store locking the lease row first). `read`: one
 * consistent snapshot, changing nothing (SQLite `BEGIN`; PostgreSQL `REPEATABLE READ READ ONLY`).
 */
export type TransactionMode = 'read' | 'write';

/** Runs single statements. */
export interface SqlExecutor {
  /** The first row the statement returns, or undefined when it returns none. */
  get<Row>(sql: string, params?: SqlParams): Promise<Row | undefined>;
  /** Every row the statement returns, in the order it returns them. */
  all<Row>(sql: string, params?: SqlParams): Promise<Row[]>;
  /** Runs a statement that returns no rows; `changes` counts the rows it inserted, updated or deleted. */
  run(sql: string, params?: SqlParams): Promise<{ changes: number }>;
}

/**
 * A connection (or pool) to one environment's database. Statements run on the session itself run
 * on their own, never inside another caller's transaction.
 */
export interface SqlSession extends SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs `fn` in one transaction and commits what it did, or rolls all of it back when it throws
   * (and rethrows). `fn` must run its statements on the executor it is given.
   */
  transaction<T>(mode: TransactionMode, fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Closes the connection (or pool); idempotent. */
  close(): Promise<void>;
  /**
   * The first row a read returns, read at once, outside any transaction's wait: only where the
   * database answers synchronously (SQLite), for values read lazily after a snapshot.
   */
  readNow?<Row>(sql: string, params?: SqlParams): Row | undefined;
}
