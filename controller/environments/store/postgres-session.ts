import pg from 'pg';
import type { SqlExecutor, SqlParams, SqlSession, TransactionMode } from './sql-session.ts';
import { toPostgresStoreError } from './to-postgres-store-error.ts';

export interface PostgresSessionOptions {
  /** `postgresql://user@host:port/database`. */
  connectionString: string;
  /** The database schema every statement runs in: one per environment. */
  schema: string;
  /** Connections in the pool. */
  poolSize?: number;
  /** Names the database in errors. */
  where: string;
}

const BEGIN = { write: 'BEGIN', read: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' } as const;

/**
 * A session over a node-postgres pool whose connections run in `schema`: one client per
 * transaction, one per statement outside a transaction. Statements are written with `?` and sent
 * with `$1, $2, …`; BIGINT arrives as a number rather than text (every BIGINT the store keeps is a
 * millisecond time or a count, well inside 2^53). Throws RangeError for a schema name that is not
 * a plain lowercase SQL identifier, since it is spliced into the search path.
 */
export function openPostgresSession(options: PostgresSessionOptions): SqlSession {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new RangeError(`the schema name ${JSON.stringify(options.schema)} is not a lowercase SQL identifier`);
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    options: `-c search_path=${options.schema}`,
    connectionTimeoutMillis: 10_000,
    types,
  });
  // A connection of the pool that fails while idle (a terminated backend, a restart, a failover)
  // is dropped by the pool; without a listener the event would end the process.
  pool.on('error', () => undefined);
  const translated = new Map<string, string>();
  const translate = (sql: string): string => {
    const known = translated.get(sql);
    if (known !== undefined) return known;
    const text = toPostgresPlaceholders(sql);
    translated.set(sql, text);
    return text;
  };
  const context: Context = { translate, where: options.where };

  return {
    dialect: 'postgresql',
    ...executor((text, values) => pool.query(text, values), context),
    transaction: (mode, fn) => transaction(pool, mode, fn, context),
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

/** Sends `?` as `$1, $2, …`, leaving question marks inside quoted literals and identifiers alone. */
export function toPostgresPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    out += ch === '?' ? `$${++n}` : ch;
  }
  return out;
}

type Query = (text: string, values: unknown[]) => Promise<pg.QueryResult>;

/** What every statement of a session goes through: its placeholders translated, its errors named. */
interface Context {
  translate: (sql: string) => string;
  where: string;
}

/**
 * Runs `fn` between BEGIN and COMMIT on one client of the pool, and rolls back on any error. The
 * client goes back to the pool, unless its connection failed (an error PostgreSQL did not send,
 * a backend terminated, or a failed ROLLBACK): then it is destroyed, never handed to the next
 * caller mid-transaction. While the client is checked out, the pool does not listen to it: the
 * transaction does, so a connection lost mid-transaction fails the transaction (retryable, as
 * toPostgresStoreError says) rather than the process.
 */
async function transaction<T>(pool: pg.Pool, mode: TransactionMode, fn: (tx: SqlExecutor) => Promise<T>, context: Context): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => {
    throw toPostgresStoreError(error, context.where);
  });
  let broken = false;
  let lost: unknown;
  const onError = (error: unknown): void => {
    broken = true;
    lost ??= error;
  };
  client.on('error', onError);
  const query: Query = async (text, values) => {
    if (lost !== undefined) throw lost;
    try {
      return await client.query(text, values);
    } catch (error) {
      broken ||= !(error instanceof Error && 'severity' in error) || CONNECTION_LOST.test(String((error as { code?: unknown }).code));
      throw error;
    }
  };
  try {
    await query(BEGIN[mode], []);
    const result = await fn(executor(query, context));
    await query('COMMIT', []);
    return result;
  } catch (error) {
    await query('ROLLBACK', []).catch(() => (broken = true));
    throw toPostgresStoreError(error, context.where);
  } finally {
    client.release(broken);
    // A destroyed client keeps the listener: its socket may still report the loss after release.
    if (!broken) client.removeListener('error', onError);
  }
}

/** SQLSTATEs after which the backend of a connection is gone (administrator command, crash, shutdown). */
const CONNECTION_LOST = /^(57P01|57P02|57P03|08\w{3})$/;

function executor(query: Query, { translate, where }: Context): SqlExecutor {
  const send = async (sql: string, params: SqlParams = []): Promise<pg.QueryResult> => {
    try {
      return await query(translate(sql), [...params]);
    } catch (error) {
      throw toPostgresStoreError(error, where);
    }
  };
  return {
    get: async <Row>(sql: string, params?: SqlParams) => (await send(sql, params)).rows[0] as Row | undefined,
    all: async <Row>(sql: string, params?: SqlParams) => (await send(sql, params)).rows as Row[],
    run: async (sql: string, params?: SqlParams) => ({ changes: (await send(sql, params)).rowCount ?? 0 }),
  };
}
