import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The test MariaDB: 127.0.0.1:3306, user root with an empty password. */
export const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

/** A database name no other test run uses. */
export function uniqueDatabase(): string {
  return `intctl_test_${process.pid}_${randomBytes(6).toString('hex')}`;
}

/** A client of the test server with `database` as its default, that runs several statements at once. */
export async function mariadbClient(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ ...MARIADB, ...(database ? { database } : {}), multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
}

/** Drops a database made by a test. */
export async function dropDatabase(database: string): Promise<void> {
  const client = await mariadbClient();
  try {
    await client.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await client.end();
  }
}
