import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
 * Environment servers of several work trees (each from its own bin/intctl.js, so its own build
 * or source) and the bare database route, side by side on the table of database-runtime.bench.ts:
 * CALLS sequential calls of ACTION to each, in ten blocks that take turns, so that load from
 * other work on the machine falls on every tree alike. Prints each one's median latency, its
 * ratio to the bare route, and the CPU of its process per call.
 *
 *   npx tsx bench/profile/compare-trees.ts CALLS TREE... [ACTION=GetItem|SearchItems]
 */
const calls = Number(process.argv[2] ?? 3000);
const trees = process.argv.slice(3);
const action = process.env.ACTION ?? 'GetItem';
const BLOCKS = 10;
const dir = mkdtempSync(join(tmpdir(), 'intctl-compare-'));
const schema = uniqueSchema();
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, note text)`);
await pool.query(`INSERT INTO ${schema}.items SELECT n, 'item ' || n, n * 1.25, timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', CASE WHEN n % 3 = 0 THEN NULL ELSE 'note ' || n END FROM generate_series(1, 1000) n`);

const servers = await Promise.all(
  trees.map((tree, n) => {
    const state = join(dir, String(n));
    mkdirSync(state);
    return startEnvironmentServer(state, [], tree);
  }),
);
const floor = await startBareDatabaseProxy(DATABASE_URL, schema);
try {
  const connection = { name: 'bench-db', system: 'postgresql', authType: 'basic', parameters: { endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres' }, secrets: {}, fingerprint: 'bench' };
  const read = await INTROSPECTORS.postgresql!.read({ connection, secrets: { password: 'trusted' }, source: { introspect: { schemas: [schema] } } });
  if (!read.ok) throw new Error(read.message);
  const catalog = await generateCatalog('bench', 'postgresql', read.bytes, {});
  for (const server of servers) {
    const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
    await publishWith(driver, catalog, { ...connection, secrets: { password: { sealed: sealSecret(await driver.publicKey(), 'trusted') } } });
  }
  const call = async (url: string, i: number): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${url}/v1/integrations/bench/actions/${action}`, { method: 'POST', headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' }, body: action === 'GetItem' ? `{"id":${(i % 1000) + 1}}` : '{}' });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`a call answered ${response.status}`);
    return performance.now() - started;
  };
  const targets = [...trees.map((tree, i) => ({ label: tree, url: servers[i]!.url, pid: servers[i]!.child.pid })), { label: 'bare route', url: floor.url, pid: floor.child.pid }];
  for (let i = 0; i < 300; i++) for (const t of targets) await call(t.url, i);
  const times = targets.map(() => [] as number[]);
  const cpu = targets.map(() => 0);
  for (let block = 0; block < BLOCKS; block++) {
    for (const [k, t] of targets.entries()) {
      const before = cpuMs(t.pid);
      for (let i = 0; i < calls / BLOCKS; i++) times[k]!.push(await call(t.url, block * calls + i));
      cpu[k]! += cpuMs(t.pid) - before;
    }
  }
  const bare = median(times.at(-1)!);
  for (const [k, t] of targets.entries()) {
    process.stdout.write(`${t.label}: ${action} median ${median(times[k]!).toFixed(3)} ms (${(median(times[k]!) / bare).toFixed(2)}× the bare route), CPU ${Math.round((cpu[k]! * 1000) / calls)} µs/call\n`);
  }
} finally {
  for (const child of [...servers.map((s) => s.child), floor.child]) {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
  await pool.end();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
}
