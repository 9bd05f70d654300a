/**
 * `intctl environment serve` over a real PostgreSQL that drops its connections: the backends are
 * terminated mid-apply (what a database restart, a failover or a pooler's idle timeout does), and
 * the database stops accepting connections for a while. The server process survives, answers the
 * failed request 503 with Retry-After and a reason, reports not ready while the database cannot
 * be reached, and the apply completes on a retry under the same lease.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryPolicyOf } from '../../controller/core/errors.ts';
import { EnvironmentUnavailableError } from '../../controller/environments/driver.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { writeKeyFile } from '../support/key-files.ts';
import { deadline, until } from '../support/time.ts';
import { integration, PLAN, publish } from '../environments/support/plan-fixtures.ts';
import { DATABASE_URL } from './support/postgres.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
const TOKEN = 'fault-test-controller-token-0001';
const COMMIT = 'c'.repeat(40);

interface Served {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote, standard output and error. */
  output: () => string;
  /** The exit code, once it exited. */
  exited: Promise<number | null>;
}

/** `intctl environment serve` in a child process over the database, once it logs where it listens. */
async function serve(databaseUrl: string, stateDir: string): Promise<Served> {
  const keyFile = await writeKeyFile(stateDir);
  const child = spawn(process.execPath, [BIN, 'environment', 'serve', '--name', 'prod', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', INTCTL_LOG_LEVEL: 'info', INTCTL_STATE_DIR: stateDir, INTCTL_ENVIRONMENT_KEY_FILE: keyFile.path, INTCTL_ENV_SERVER_DATABASE_URL: databaseUrl, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"environment server listening"/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`intctl environment serve exited (${code}):\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

/** A client of the database named, outside the server's pool. */
async function connect(database: string): Promise<pg.Client> {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  return client;
}

/** What the server answered, as the http driver received it: status and Retry-After. */
interface Answer {
  path: string;
  status: number;
  retryAfter: string | null;
  body: unknown;
}

let work: string;
let database: string;
let admin: pg.Client;
let served: Served | undefined;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-pg-faults-'));
  database = `intctl_fault_${randomBytes(6).toString('hex')}`;
  admin = await connect(new URL(DATABASE_URL).pathname.slice(1));
  await admin.query(`CREATE DATABASE ${database}`);
});
afterEach(async () => {
  if (served && served.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  served = undefined;
  await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await rm(work, { recursive: true, force: true });
});

describe('the environment server over PostgreSQL, when the database drops its connections', () => {
  it('survives its backends terminated mid-apply, answers 503 with Retry-After, and applies on a retry under the same lease', async () => {
    const databaseUrl = Object.assign(new URL(DATABASE_URL), { pathname: `/${database}` }).href;
    served = await serve(databaseUrl, work);
    const answers: Answer[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const text = await response.clone().text();
      answers.push({ path: new URL(String(input)).pathname, status: response.status, retryAfter: response.headers.get('retry-after'), body: text === '' ? undefined : JSON.parse(text) });
      return response;
    };
    const driver = new HttpEnvironment({ name: 'prod', url: served.url, token: TOKEN, fetch: recording });
    const lease = (await driver.acquireLease('controller-a', deadline(120_000)))!;
    const action = publish(integration('accounts'));

    // Hold the integrations table, so that the apply's transaction stops inside, on a checked-out connection.
    const blocker = await connect(database);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE intctl.integrations IN ACCESS EXCLUSIVE MODE');
    const applying = driver.apply(action, { lease, commit: COMMIT, plan: PLAN }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await until('the apply to wait for the lock inside its transaction', async () => {
      const { rows } = await admin.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]);
      return rows[0]!.waiting > 0;
    });
    const terminated = await blocker.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t',
    );
    expect(terminated.rows[0]!.count).toBeGreaterThan(0);
    await blocker.query('ROLLBACK');
    await blocker.end();

    const failed = await applying;
    expect(await fetch(`${served.url}/healthz`).then((r) => r.status, (e: unknown) => `${String(e)}\n${served!.output()}`)).toBe(200);
    expect((failed as Error).message).toContain('answered 503');
    expect(failed).toBeInstanceOf(EnvironmentUnavailableError);
    expect(retryPolicyOf(failed, 'needs-human')).toBe('transient');
    expect(answers.at(-1)).toMatchObject({ path: '/v1/actions', status: 503, retryAfter: '1', body: { error: 'EnvironmentUnavailable', reason: 'StoreUnreachable' } });

    // The retry the controller's queue makes: the same action, under the same lease.
    expect(await driver.apply(action, { lease, commit: COMMIT, plan: PLAN })).toBe('applied');
    expect((await driver.observe()).integrations.map((i) => i.name)).toEqual(['accounts']);
    expect((await driver.actionLog()).map((a) => a.actionId)).toEqual([action.id]);
    expect(await fetch(`${served.url}/readyz`).then((r) => r.status)).toBe(200);
    expect(served.output()).not.toMatch(/Connection terminated|Unhandled|uncaught/i);

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  }, deadline(120_000));

  it('reports not ready while the database cannot be reached, and ready again once it is back', async () => {
    const databaseUrl = Object.assign(new URL(DATABASE_URL), { pathname: `/${database}` }).href;
    served = await serve(databaseUrl, work);
    const driver = new HttpEnvironment({ name: 'prod', url: served.url, token: TOKEN });
    expect(await fetch(`${served.url}/readyz`).then((r) => r.status)).toBe(200);

    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    const notReady = await fetch(`${served.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toBe('1');
    expect(await notReady.json()).toMatchObject({ error: 'EnvironmentUnavailable', reason: 'StoreUnreachable', message: expect.stringContaining('environment prod') });
    expect(await fetch(`${served.url}/healthz`).then((r) => r.status)).toBe(200);
    await expect(driver.observe()).rejects.toBeInstanceOf(EnvironmentUnavailableError);

    await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
    expect(await fetch(`${served.url}/readyz`).then((r) => r.status)).toBe(200);
    expect((await driver.observe()).environment).toBe('prod');
    expect(served.child.exitCode).toBeNull();
  }, deadline(120_000));
});
