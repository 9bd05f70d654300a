import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../../controller/environment-server/store/open-postgres-store.ts';
import { testKeyFile } from '../../support/key-files.ts';
import type { StoreFactory } from './serve-environment.ts';

/** The test database: PostgreSQL on 127.0.0.1:5432 with trust authentication, database `test`. */
export const DATABASE_URL = process.env.INTCTL_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses. */
export function uniqueSchema(): string {
  return `intctl_test_${process.pid}_${randomBytes(6).toString('hex')}`;
}

/** Drops a schema made by a test, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL store per test, in its own schema with its keys wrapped by a key file of its own, dropped afterwards. */
export const postgresStores: StoreFactory = async (name, now) => {
  const schema = uniqueSchema();
  const store = await openPostgresStore({ name, connectionString: DATABASE_URL, schema, now, poolSize: 4, keyFile: testKeyFile() });
  return { store, drop: () => dropSchema(schema) };
};
