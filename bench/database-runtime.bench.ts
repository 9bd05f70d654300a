import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { bench, describe } from 'vitest';
import { INTROSPECTORS } from '../controller/cli/introspect/introspectors.ts';
import { HttpEnvironment } from '../controller/environments/http/http-environment.ts';
import { sealSecret } from '../controller/secrets/seal-secret.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../test/environment-server/support/postgres.ts';
import { generateCatalog, publishWith } from '../test/environment-server/support/publish.ts';
import { APP, CONTROLLER, cpuMs, startBareDatabaseProxy, startEnvironmentServer } from './support/environment-server.ts';
import { median } from './support/median.ts';

/**
 * Database actions through the environment server against the same queries run directly with
 * the driver (a pg pool in this process), on the PostgreSQL of the machine. A table of 1,000
 * rows (integer key, text, numeric, timestamptz, nullable text) is introspected, generated and
 * published to an environment server in its own process (SQLite store).
 *
 * - Latency: SearchItems (all 1,000 rows) and GetItem (one row by key), sequential calls
 *   alternating with the direct query, after a warm-up; medians and their ratio. The direct side
 *   also serializes its rows to JSON, as any service answering over HTTP would.
 * - Throughput: GetItem under a bounded load (a fixed number of requests, 32 in flight), and the
 *   direct query under the same load.
 *
 * - Floor: the same two actions through a bare fastify route in its own process that runs the
 *   query with pg and answers its rows (bench/support/bare-database-proxy.ts): what one extra
 *   HTTP hop costs at least, so the server's own share is the distance above it.
 *
 * Prints, and writes to bench/results/database-runtime.json.
 */

const ROWS = 1000;
const WARMUP = 50;
const SEQUENTIAL = { search: 200, get: 1000 };
const LOAD_REQUESTS = 5000;
const IN_FLIGHT = 32;

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;



async function measure(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-bench-db-'));
  const schema = uniqueSchema();
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, note text)`);
  await pool.query(`INSERT INTO ${schema}.items SELECT n, 'item ' || n, n * 1.25, timestamptz '2024-01-01 00:00:00+00' + n * interval '1 minute', CASE WHEN n % 3 = 0 THEN NULL ELSE 'note ' || n END FROM generate_series(1, ${ROWS}) n`);
  const server = await startEnvironmentServer(dir);
  const floor = await startBareDatabaseProxy(DATABASE_URL, schema);
  try {
    const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
    const connection = { name: 'bench-db', system: 'postgresql', authType: 'basic', parameters: { endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres' }, secrets: {}, fingerprint: 'bench' };
    const read = await INTROSPECTORS.postgresql!.read({ connection, secrets: { password: 'trusted' }, source: { introspect: { schemas: [schema] } } });
    if (!read.ok) throw new Error(read.message);
    const catalog = await generateCatalog('bench', 'postgresql', read.bytes, {});
    await publishWith(driver, catalog, { ...connection, secrets: { password: { sealed: sealSecret(await driver.publicKey(), 'trusted') } } });

    const action = (name: string, body: string, url = server.url) => async (): Promise<number> => {
      const response = await fetch(`${url}/v1/integrations/bench/actions/${name}`, { method: 'POST', headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      return response.status;
    };
    const directQuery = (sql: string, values: unknown[]) => async (): Promise<number> => {
      const result = await pool.query(sql, values);
      JSON.stringify(result.rows);
      return 200;
    };
    let n = 0;
    const key = (): number => (n++ % ROWS) + 1;
    const timed = async (call: () => Promise<number>): Promise<number> => {
      const started = performance.now();
      const status = await call();
      if (status !== 200) throw new Error(`a call answered ${status}`);
      return performance.now() - started;
    };
    const compare = async (through: () => () => Promise<number>, direct: () => () => Promise<number>, bare: () => () => Promise<number>, calls: number): Promise<{ direct: number; runtime: number; ratio: number; floor: number; floorRatio: number }> => {
      for (let i = 0; i < WARMUP; i++) {
        await timed(direct());
        await timed(through());
        await timed(bare());
      }
      const d: number[] = [];
      const r: number[] = [];
      const f: number[] = [];
      for (let i = 0; i < calls; i++) {
        d.push(await timed(direct()));
        r.push(await timed(through()));
        f.push(await timed(bare()));
      }
      return { direct: round(median(d)), runtime: round(median(r)), ratio: round(median(r) / median(d), 2), floor: round(median(f)), floorRatio: round(median(f) / median(d), 2) };
    };
    const columns = `SELECT id, name, price, created_at, note FROM ${schema}.items`;
    const search = await compare(() => action('SearchItems', '{}'), () => directQuery(`${columns} ORDER BY id`, []), () => action('SearchItems', '{}', floor.url), SEQUENTIAL.search);
    const get = await compare(() => action('GetItem', `{"id":${key()}}`), () => directQuery(`${columns} WHERE id = $1`, [key()]), () => action('GetItem', `{"id":${key()}}`, floor.url), SEQUENTIAL.get);

    const load = async (call: () => () => Promise<number>, pid?: number): Promise<{ rps: number; failed: number; cpuUsPerCall: number }> => {
      let next = 0;
      let failed = 0;
      const cpuBefore = cpuMs(pid);
      const started = performance.now();
      const worker = async (): Promise<void> => {
        while (next < LOAD_REQUESTS) {
          next++;
          if ((await call()()) !== 200) failed++;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      return { rps: Math.round(LOAD_REQUESTS / ((performance.now() - started) / 1000)), failed, cpuUsPerCall: Math.round(((cpuMs(pid) - cpuBefore) * 1000) / LOAD_REQUESTS) };
    };
    const runtimeLoad = await load(() => action('GetItem', `{"id":${key()}}`), server.child.pid);
    const directLoad = await load(() => directQuery(`${columns} WHERE id = $1`, [key()]));
    const floorLoad = await load(() => action('GetItem', `{"id":${key()}}`, floor.url), floor.child.pid);

    const result = {
      rows: ROWS,
      searchAll: { calls: SEQUENTIAL.search, directMedianMs: search.direct, runtimeMedianMs: search.runtime, medianLatencyRatio: search.ratio, floorMedianMs: search.floor, floorLatencyRatio: search.floorRatio },
      getByKey: { calls: SEQUENTIAL.get, directMedianMs: get.direct, runtimeMedianMs: get.runtime, medianLatencyRatio: get.ratio, floorMedianMs: get.floor, floorLatencyRatio: get.floorRatio },
      throughput: { requests: LOAD_REQUESTS, inFlight: IN_FLIGHT, getItemRps: runtimeLoad.rps, getItemFailed: runtimeLoad.failed, directRps: directLoad.rps, floorRps: floorLoad.rps, serverCpuUsPerGet: runtimeLoad.cpuUsPerCall, floorCpuUsPerGet: floorLoad.cpuUsPerCall },
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'database-runtime.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `\ndatabase actions on loopback (PostgreSQL; environment server in its own process, SQLite store):\n` +
        `  SearchItems, all ${ROWS} rows, median of ${SEQUENTIAL.search}: direct ${search.direct} ms, through the server ${search.runtime} ms: ratio ${search.ratio}; the bare route ${search.floor} ms: ratio ${search.floorRatio}\n` +
        `  GetItem by key, median of ${SEQUENTIAL.get}: direct ${get.direct} ms, through the server ${get.runtime} ms: ratio ${get.ratio}; the bare route ${get.floor} ms: ratio ${get.floorRatio}\n` +
        `  GetItem under load, ${LOAD_REQUESTS} requests, ${IN_FLIGHT} in flight: ${runtimeLoad.rps} requests/s (${runtimeLoad.failed} failed); the query directly: ${directLoad.rps} requests/s; the bare route: ${floorLoad.rps} requests/s\n` +
        `  CPU of the serving process per GetItem under that load: environment server ${runtimeLoad.cpuUsPerCall} µs, bare route ${floorLoad.cpuUsPerCall} µs\n\n`,
    );
    if (runtimeLoad.failed > 0 || floorLoad.failed > 0) throw new Error('some requests under load failed');
  } finally {
    for (const child of [server.child, floor.child]) {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
    await pool.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('database actions', () => {
  bench('Search of 1,000 rows and Get by key through the environment server against the driver directly, and requests per second', measure, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
