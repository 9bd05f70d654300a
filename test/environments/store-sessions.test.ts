import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { openPostgresSession, toPostgresPlaceholders } from '../../controller/environments/store/postgres-session.ts';
import type { SqlSession } from '../../controller/environments/store/sql-session.ts';
import { createSqliteSession } from '../../controller/environments/store/sqlite-session.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { PLAN, updateDependency } from './support/plan-fixtures.ts';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('toPostgresPlaceholders', () => {
  it.each([
    { sql: 'SELECT 1', expected: 'SELECT 1' },
    { sql: 'UPDATE t SET a = ?, b = ? WHERE id = ?', expected: 'UPDATE t SET a = $1, b = $2 WHERE id = $3' },
    { sql: "SELECT '?' AS q, \"col?\" FROM t WHERE a = ?", expected: "SELECT '?' AS q, \"col?\" FROM t WHERE a = $1" },
    { sql: "SELECT 'it''s ?' WHERE a = ?", expected: "SELECT 'it''s ?' WHERE a = $1" },
  ])('$sql', ({ sql, expected }) => {
    expect(toPostgresPlaceholders(sql)).toBe(expected);
  });
});

describe('SQLite session: one connection, callers interleaved on the event loop', () => {
  let dir: string;
  let session: SqlSession;
  afterEach(async () => {
    await session.close();
    await rm(dir, { recursive: true, force: true });
  });
  const open = async (): Promise<SqlSession> => {
    dir = await mkdtemp(join(tmpdir(), 'intctl-session-'));
    const db = new Database(join(dir, 'test.db'));
    db.exec('CREATE TABLE t (n INTEGER NOT NULL)');
    session = createSqliteSession(db, join(dir, 'test.db'));
    return session;
  };

  it('runs overlapping transactions one after the other, never nesting a BEGIN', async () => {
    const s = await open();
    const write = (n: number) =>
      s.transaction('write', async (tx) => {
        await tx.run('INSERT INTO t (n) VALUES (?)', [n]);
        await tick();
        return (await tx.get<{ c: number }>('SELECT COUNT(*) AS c FROM t'))!.c;
      });
    expect(await Promise.all([write(1), write(2), write(3)])).toEqual([1, 2, 3]);
  });

  it('keeps a statement made outside a transaction out of the one that is open, so its rollback does not take it', async () => {
    const s = await open();
    const failing = s.transaction('write', async (tx) => {
      await tx.run('INSERT INTO t (n) VALUES (1)');
      await tick();
      throw new Error('the apply failed');
    });
    const outside = s.run('INSERT INTO t (n) VALUES (2)');
    await expect(failing).rejects.toThrow('the apply failed');
    expect(await outside).toEqual({ changes: 1 });
    expect(await s.all('SELECT n FROM t')).toEqual([{ n: 2 }]);
  });
});

describe('SQLite session under the store', () => {
  it('applies many actions started at once on one driver, each in its own transaction, the log numbered without gaps', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'intctl-session-'));
    const driver = await openEmbeddedEnvironment(join(dir, 'dev.db'), { name: 'dev' });
    try {
      const lease = (await driver.acquireLease('controller-a', 30_000))!;
      const versions = Array.from({ length: 20 }, (_, i) => `2.${i}.0`);
      const outcomes = await Promise.all(versions.map((v) => driver.apply(updateDependency(v), { lease, commit: 'c'.repeat(40), plan: PLAN })));
      expect(outcomes).toEqual(versions.map(() => 'applied'));
      expect((await driver.actionLog()).map((e) => e.seq)).toEqual(versions.map((_, i) => i + 1));
    } finally {
      await driver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL session', () => {
  const schema = uniqueSchema();
  let session: SqlSession | undefined;
  afterEach(async () => {
    await session?.close();
    await dropSchema(schema);
  });

  it('returns BIGINT as a number, and refuses a write in a read transaction', async () => {
    session = openPostgresSession({ connectionString: DATABASE_URL, schema, poolSize: 2, where: 'test' });
    expect(await session.get('SELECT ?::bigint AS n, COUNT(*) AS c FROM (VALUES (1), (2)) AS v', [Date.parse('2026-11-28T09:00:00Z')])).toEqual({ n: 1795856400000, c: 2 });
    await session.run(`CREATE SCHEMA "${schema}"`);
    await session.run(`CREATE TABLE "${schema}".t (n INTEGER)`);
    await expect(session.transaction('read', (tx) => tx.run(`INSERT INTO "${schema}".t VALUES (1)`))).rejects.toThrow(/read-only/);
    expect(await session.transaction('write', async (tx) => (await tx.run(`INSERT INTO "${schema}".t VALUES (1), (2)`)).changes)).toBe(2);
  });

  it('refuses a schema name it cannot splice into the search path', () => {
    expect(() => openPostgresSession({ connectionString: DATABASE_URL, schema: 'Robert"; DROP', where: 'test' })).toThrow(RangeError);
  });
});
