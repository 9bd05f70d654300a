import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { INTROSPECTORS } from '../../controller/cli/introspect/introspectors.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../../test/environment-server/support/postgres.ts';
import { generateCatalog, publishWith } from '../../test/environment-server/support/publish.ts';
import { APP, CONTROLLER, cpuMs, startBareDatabaseProxy, startEnvironmentServer } from '../support/environment-server.ts';
import { median } from '../support/median.ts';

/**
 * CPU of the serving process per call, and median latency, for GetItem and SearchItems called one
 * at a time: the environment server against the bare route (bench/support/bare-database-proxy.ts),
 * twice each, on the table of database-runtime.bench.ts. CPU per call moves less than latency on a
 * machine other work shares.
 *
 *   npx tsx bench/profile/cpu-per-call.ts [GET_CALLS]   (a twentieth as many SearchItems)
 */
const calls = Number(process.argv[2] ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'intctl-cpu-'));
const schema = uniqueSchema();
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, note text)`);
await pool.query(`INSERT INTO ${schema}.items SELECT n, 'item ' || n, n * 1.25, timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', CASE WHEN n % 3 = 0 THEN NULL ELSE 'note ' || n END FROM generate_series(1, 1000) n`);
const server = await startEnvironmentServer(dir);
const floor = await startBareDatabaseProxy(DATABASE_URL, schema);
try {
  const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
  const connection = { name: 'bench-db', system: 'postgresql', authType: 'basic', parameters: { endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres' }, secrets: {}, fingerprint: 'bench' };
  const read = await INTROSPECTORS.postgresql!.read({ connection, secrets: { password: 'trusted' }, source: { introspect: { schemas: [schema] } } });
  if (!read.ok) throw new Error(read.message);
  const catalog = await generateCatalog('bench', 'postgresql', read.bytes, {});
  await publishWith(driver, catalog, { ...connection, secrets: { password: { sealed: sealSecret(await driver.publicKey(), 'trusted') } } });
  const call = async (url: string, name: string, body: string): Promise<void> => {
    const response = await fetch(`${url}/v1/integrations/bench/actions/${name}`, { method: 'POST', headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a call answered ${response.status}`);
  };
  for (const [label, url, pid] of [['server', server.url, server.child.pid], ['bare', floor.url, floor.child.pid], ['server', server.url, server.child.pid], ['bare', floor.url, floor.child.pid]] as const) {
    for (const [name, n] of [['GetItem', calls], ['SearchItems', calls / 20]] as const) {
      for (let i = 0; i < 50; i++) await call(url, name, name === 'GetItem' ? `{"id":${(i % 1000) + 1}}` : '{}');
      const times: number[] = [];
      const before = cpuMs(pid);
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await call(url, name, name === 'GetItem' ? `{"id":${(i % 1000) + 1}}` : '{}');
        times.push(performance.now() - t);
      }
      process.stdout.write(`${label.padEnd(7)} ${name.padEnd(12)} median ${median(times).toFixed(3)} ms, CPU ${Math.round(((cpuMs(pid) - before) * 1000) / n)} µs/call\n`);
    }
  }
} finally {
  for (const child of [server.child, floor.child]) {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
  await pool.end();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
}
