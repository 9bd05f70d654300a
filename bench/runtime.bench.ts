import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { HttpEnvironment } from '../controller/environments/http/http-environment.ts';
import { sealSecret } from '../controller/secrets/seal-secret.ts';
import { generateCatalog, publishWith } from '../test/environment-server/support/publish.ts';
import { startWarehouse, WAREHOUSE_KEY } from '../test/environment-server/support/warehouse.ts';
import { APP, CONTROLLER, cpuMs, startBareProxy, startEnvironmentServer } from './support/environment-server.ts';
import { median } from './support/median.ts';

/**
 * The action runtime's cost, on loopback. An environment server (`intctl environment serve`,
 * SQLite store) runs in its own process with the warehouse test service's integration published;
 * the warehouse and the load generator share this process.
 *
 * - Overhead: GetItem through the runtime (token check, input validation, catalog and connection
 *   read from the store, sealed key opened, request built, output validated, response validated
 *   against the Environment API) against the same GET sent to the warehouse directly. Sequential
 *   calls, alternating the two, after a warm-up; the median latency of each and their ratio.
 * - Throughput: a bounded load on the action endpoint, a fixed number of requests with a fixed
 *   number in flight, and the requests per second it sustained (every answer checked for 200).
 * - CPU: the serving process's CPU time per call under that load (from /proc), which a busy
 *   machine changes far less than latency.
 * - Floor: the same call through a bare fastify route in its own process that forwards it to the
 *   warehouse with undici and nothing else (bench/support/bare-proxy.ts): what one extra HTTP hop
 *   costs at least, so the runtime's own share is the distance above it.
 *
 * Prints, and writes to bench/results/runtime.json.
 */

const WARMUP = 200;
const SEQUENTIAL = 1000;
const LOAD_REQUESTS = 5000;
const IN_FLIGHT = 32;

const percentile = (values: readonly number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;



async function measure(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-bench-runtime-'));
  const warehouse = await startWarehouse('apiKey');
  const server = await startEnvironmentServer(dir);
  const floor = await startBareProxy(warehouse.url, WAREHOUSE_KEY);
  try {
    const driver = new HttpEnvironment({ name: 'bench', url: server.url, token: CONTROLLER });
    const spec = new Uint8Array(Buffer.from(await (await fetch(`${warehouse.url}/openapi.yaml`)).arrayBuffer()));
    const catalog = await generateCatalog('warehouse', 'openapi', spec, { entities: [{ name: 'items', operations: ['Get', 'Search'] }] });
    await publishWith(driver, catalog, {
      name: 'warehouse',
      system: 'openapi',
      authType: 'apiKey',
      parameters: { endpoint: warehouse.url, apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
      secrets: { apiKey: { sealed: sealSecret(await driver.publicKey(), WAREHOUSE_KEY) } },
      fingerprint: 'bench',
    });

    const directCall = async (): Promise<number> => {
      const response = await fetch(`${warehouse.url}/items/i1`, { headers: { 'x-api-key': WAREHOUSE_KEY } });
      await response.arrayBuffer();
      return response.status;
    };
    const actionCall = (url: string) => async (): Promise<number> => {
      const response = await fetch(`${url}/v1/integrations/warehouse/actions/GetItem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${APP}`, 'content-type': 'application/json' },
        body: '{"itemId":"i1"}',
      });
      await response.arrayBuffer();
      return response.status;
    };
    const runtimeCall = actionCall(server.url);
    const floorCall = actionCall(floor.url);
    const timed = async (call: () => Promise<number>): Promise<number> => {
      const started = performance.now();
      const status = await call();
      if (status !== 200) throw new Error(`a call answered ${status}`);
      return performance.now() - started;
    };

    for (let i = 0; i < WARMUP; i++) {
      await timed(directCall);
      await timed(runtimeCall);
      await timed(floorCall);
    }
    const direct: number[] = [];
    const runtime: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      direct.push(await timed(directCall));
      runtime.push(await timed(runtimeCall));
      bare.push(await timed(floorCall));
    }

    const load = async (call: () => Promise<number>, pid?: number): Promise<{ rps: number; failed: number; seconds: number; cpuUsPerCall: number }> => {
      let next = 0;
      let failed = 0;
      const cpuBefore = cpuMs(pid);
      const started = performance.now();
      const worker = async (): Promise<void> => {
        while (next < LOAD_REQUESTS) {
          next++;
          if ((await call()) !== 200) failed++;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      const seconds = (performance.now() - started) / 1000;
      return { rps: LOAD_REQUESTS / seconds, failed, seconds, cpuUsPerCall: Math.round(((cpuMs(pid) - cpuBefore) * 1000) / LOAD_REQUESTS) };
    };
    const runtimeLoad = await load(runtimeCall, server.child.pid);
    const directLoad = await load(directCall);
    const floorLoad = await load(floorCall, floor.child.pid);

    const result = {
      overhead: {
        calls: SEQUENTIAL,
        directMedianMs: round(median(direct)),
        runtimeMedianMs: round(median(runtime)),
        medianLatencyRatio: round(median(runtime) / median(direct), 2),
        directP95Ms: round(percentile(direct, 0.95)),
        runtimeP95Ms: round(percentile(runtime, 0.95)),
        floorMedianMs: round(median(bare)),
        floorLatencyRatio: round(median(bare) / median(direct), 2),
      },
      throughput: {
        requests: LOAD_REQUESTS,
        inFlight: IN_FLIGHT,
        actionEndpointRps: Math.round(runtimeLoad.rps),
        actionEndpointFailed: runtimeLoad.failed,
        directRps: Math.round(directLoad.rps),
        directFailed: directLoad.failed,
        floorRps: Math.round(floorLoad.rps),
        serverCpuUsPerCall: runtimeLoad.cpuUsPerCall,
        floorCpuUsPerCall: floorLoad.cpuUsPerCall,
      },
    };
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'runtime.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `\naction runtime on loopback (environment server in its own process, SQLite store):\n` +
        `  GetItem latency, median over ${SEQUENTIAL} sequential calls: direct ${result.overhead.directMedianMs} ms, through the runtime ${result.overhead.runtimeMedianMs} ms: ratio ${result.overhead.medianLatencyRatio}\n` +
        `  p95: direct ${result.overhead.directP95Ms} ms, through the runtime ${result.overhead.runtimeP95Ms} ms\n` +
        `  floor, a bare proxy route (one extra hop, no checks): ${result.overhead.floorMedianMs} ms: ratio ${result.overhead.floorLatencyRatio}\n` +
        `  action endpoint under load, ${LOAD_REQUESTS} requests, ${IN_FLIGHT} in flight: ${result.throughput.actionEndpointRps} requests/s (${runtimeLoad.failed} failed); the service directly: ${result.throughput.directRps} requests/s; the bare proxy: ${result.throughput.floorRps} requests/s\n` +
        `  CPU of the serving process per call under that load: environment server ${result.throughput.serverCpuUsPerCall} µs, bare proxy ${result.throughput.floorCpuUsPerCall} µs\n\n`,
    );
    if (runtimeLoad.failed > 0 || directLoad.failed > 0 || floorLoad.failed > 0) throw new Error('some requests under load failed');
  } finally {
    for (const child of [server.child, floor.child]) {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('action runtime', () => {
  bench('overhead against a direct call, and requests per second under a bounded load', measure, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
