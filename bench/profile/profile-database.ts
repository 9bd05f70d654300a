import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { INTROSPECTORS } from '../../controller/cli/introspect/introspectors.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../../test/environment-server/support/postgres.ts';
import { generateCatalog, publishWith } from '../../test/environment-server/support/publish.ts';
import { APP, CONTROLLER, startEnvironmentServer } from '../support/environment-server.ts';

/**
 * Profiles the environment server on the database path: the table of database-runtime.bench.ts,
 * published as it does, the server started with `--cpu-prof`; CALLS calls (16 in flight), every
 * SEARCH_EVERY-th a SearchItems of all 1,000 rows (10 by default; 0 for GetItem only) and the others
 * GetItem, then the .cpuprofile written is named.
 *
 *   npx tsx bench/profile/profile-database.ts [CALLS] [PROFILE_DIR] [SEARCH_EVERY]
 */
const calls = Number(process.argv[2] ?? 10_000);
const profileDir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'intctl-profile-'));
const searchEvery = Number(process.argv[4] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'intctl-profile-state-'));
const schema = uniqueSchema();
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, note text)`);
await pool.query(`INSERT INTO ${schema}.items SELECT n, 'item ' || n, n * 1.25, timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', CASE WHEN n % 3 = 0 THEN NULL ELSE 'note ' || n END FROM generate_series(1, 1000) n`);
const server = await startEnvironmentServer(dir, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
try {
  const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
  const connection = { name: 'bench-db', system: 'postgresql', authType: 'basic', parameters: { endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres' }, secrets: {}, fingerprint: 'bench' };
  const read = await INTROSPECTORS.postgresql!.read({ connection, secrets: { password: 'trusted' }, source: { introspect: { schemas: [schema] } } });
  if (!read.ok) throw new Error(read.message);
  const catalog = await generateCatalog('bench', 'postgresql', read.bytes, {});
  await publishWith(driver, catalog, { ...connection, secrets: { password: { sealed: sealSecret(await driver.publicKey(), 'trusted') } } });
  let next = 0;
  const call = async (name: string, body: string): Promise<void> => {
    const response = await fetch(`${server.url}/v1/integrations/bench/actions/${name}`, { method: 'POST', headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a call answered ${response.status}`);
  };
  const worker = async (): Promise<void> => {
    while (next < calls) {
      const n = next++;
      await (searchEvery > 0 && n % searchEvery === 0 ? call('SearchItems', '{}') : call('GetItem', `{"id":${(n % 1000) + 1}}`));
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
} finally {
  server.child.kill('SIGTERM');
  await new Promise((resolve) => (server.child.exitCode !== null ? resolve(undefined) : server.child.once('exit', resolve)));
  await pool.end();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${readdirSync(profileDir).map((f) => join(profileDir, f)).join('\n')}\n`);
