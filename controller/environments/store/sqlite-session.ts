import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { createMutex } from './create-mutex.ts';
import type { SqlExecutor, SqlParams, SqlSession } from './sql-session.ts';
import { toSqliteStoreError } from './to-sqlite-store-error.ts';

/**
 * A session over one better-sqlite3 connection. better-sqlite3 is synchronous but the store awaits
 * between statements, so every transaction and every statement outside one takes a mutex first:
 * callers interleaved on the event loop can never nest a BEGIN or slip a statement into another's
 * transaction. Statements are prepared once per SQL text. `where` names the file in errors.
 */
export function createSqliteSession(db: Database, where: string): SqlSession {
  const statements = new Map<string, Statement>();
  const mutex = createMutex();

  const prepared = (sql: string): Statement => {
    const known = statements.get(sql);
    if (known) return known;
    const statement = db.prepare(sql);
    statements.set(sql, statement);
    return statement;
  };
  const guard = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      throw toSqliteStoreError(error, where);
    }
  };
  const direct: SqlExecutor = {
    get: async <Row>(sql: string, params: SqlParams = []) => guard(() => prepared(sql).get(...params) as Row | undefined),
    all: async <Row>(sql: string, params: SqlParams = []) => guard(() => prepared(sql).all(...params) as Row[]),
    run: async (sql: string, params: SqlParams = []) => guard(() => ({ changes: prepared(sql).run(...params).changes })),
  };

  return {
    dialect: 'sqlite',
    get: (sql, params) => mutex.run(() => direct.get(sql, params)),
    all: (sql, params) => mutex.run(() => direct.all(sql, params)),
    run: (sql, params) => mutex.run(() => direct.run(sql, params)),
    transaction: (mode, fn) =>
      mutex.run(async () => {
        guard(() => prepared(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN').run());
        try {
          const result = await fn(direct);
          guard(() => prepared('COMMIT').run());
          return result;
        } catch (error) {
          if (db.inTransaction) rollback(db);
          throw error;
        }
      }),
    close: () =>
      mutex.run(async () => {
        if (db.open) db.close();
      }),
    readNow: <Row>(sql: string, params: SqlParams = []) => guard(() => (db.open ? (prepared(sql).get(...params) as Row | undefined) : readClosed<Row>(db.name, sql, params))),
  };
}

/** A read after the session closed (a value read lazily from a snapshot kept longer): on a connection of its own, for this read only. */
function readClosed<Row>(file: string, sql: string, params: SqlParams): Row | undefined {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get(...params) as Row | undefined;
  } finally {
    db.close();
  }
}

function rollback(db: Database): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // The error that ended the transaction says more; SQLite has rolled back what it could.
  }
}
