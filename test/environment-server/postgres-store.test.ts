import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../controller/environment-server/store/open-postgres-store.ts';
import type { SqlEnvironmentStore } from '../../controller/environments/store/sql-environment-store.ts';
import { EnvironmentUnavailableError, LeaseLostError } from '../../controller/environments/driver.ts';
import { EnvironmentMismatchError } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { PLAN, updateDependency } from '../environments/support/plan-fixtures.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './support/postgres.ts';
import { testClock } from './support/test-clock.ts';
import { testKeyFile } from '../support/key-files.ts';

const KEY_FILE = testKeyFile();

describe('PostgreSQL store: several replicas on one database', () => {
  const schemas: string[] = [];
  const stores: SqlEnvironmentStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  const open = async (schema: string, name = 'prod', now?: () => Date): Promise<SqlEnvironmentStore> => {
    const store = await openPostgresStore({ name, connectionString: DATABASE_URL, schema, poolSize: 2, keyFile: KEY_FILE, ...(now ? { now } : {}) });
    stores.push(store);
    return store;
  };

  it('migrates a schema once when replicas start together, and they share keys, lease and log', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const clock = testClock();
    const replicas = await Promise.all([1, 2, 3].map(() => open(schema, 'prod', clock.now)));
    const keys = await Promise.all(replicas.map((r) => r.publicKey()));
    expect(new Set(keys).size).toBe(1);

    const [a, b, c] = replicas as [SqlEnvironmentStore, SqlEnvironmentStore, SqlEnvironmentStore];
    const held = (await a.acquireLease('controller-a', 10_000))!;
    expect(await b.acquireLease('controller-b', 10_000)).toBeUndefined();
    expect(await b.apply(updateDependency('2.4.0'), { lease: held, commit: 'c'.repeat(40), plan: PLAN })).toBe('applied');
    clock.advance(10_001);
    const taken = (await c.acquireLease('controller-c', 10_000))!;
    expect(taken.token).toBe(held.token + 1);
    await expect(a.apply(updateDependency('3.0.0'), { lease: held, commit: 'c'.repeat(40), plan: PLAN })).rejects.toBeInstanceOf(LeaseLostError);
    expect((await b.observe()).dependencies).toEqual({ 'integration-utils': '2.4.0' });
    expect((await c.actionLog()).map((e) => [e.seq, e.leaseToken])).toEqual([[1, held.token]]);
  });

  it('gives one lease to one of many replicas racing for it', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const replicas = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
    const leases = await Promise.all(replicas.map((r, i) => r.acquireLease(`controller-${i}`, 30_000)));
    expect(leases.filter((l) => l !== undefined)).toHaveLength(1);
  });

  it('refuses to change or delete log entries, even through SQL', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const store = await open(schema);
    await store.apply(updateDependency('2.4.0'), { lease: (await store.acquireLease('a', 10_000))!, commit: 'c'.repeat(40), plan: PLAN });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query(`UPDATE "${schema}".action_log SET result = 'x'`)).rejects.toThrow('append-only');
      await expect(client.query(`DELETE FROM "${schema}".action_log`)).rejects.toThrow('append-only');
    } finally {
      await client.end();
    }
    expect(await store.actionLog()).toHaveLength(1);
  });

  it('refuses a schema that holds another environment', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    await open(schema, 'prod');
    await expect(open(schema, 'dev')).rejects.toBeInstanceOf(EnvironmentMismatchError);
  });

  it('reports a database it cannot reach as unavailable, a retryable error', async () => {
    const opening = openPostgresStore({ name: 'prod', connectionString: 'postgresql://postgres@127.0.0.1:1/test', schema: uniqueSchema(), keyFile: KEY_FILE });
    await expect(opening).rejects.toBeInstanceOf(EnvironmentUnavailableError);
  });
});
