import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironmentServerConfig } from '../../controller/config/read-config.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { writeKeyFile } from '../support/key-files.ts';
import { dropSchema, DATABASE_URL, uniqueSchema } from './support/postgres.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
const CONTROLLER = 'serve-test-controller-token-0001';
const APP = 'serve-test-application-token-01';

let work: string;
afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs `intctl environment serve` in a child process until it logs where it listens, then stops it with SIGTERM. */
async function serveOnce(env: Record<string, string>, check: (url: string) => Promise<void>): Promise<{ code: number | null; output: string; stdout: string }> {
  const child = spawn(process.execPath, [BIN, 'environment', 'serve', '--name', 'prod', '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', INTCTL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      stdout += chunk.toString('utf8');
      const match = /"msg":"environment server listening"/.test(stdout) && /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => reject(new Error(`intctl environment serve exited (${code}):\n${output}`)));
  });
  try {
    await check(url);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, stdout };
}

/** The problems of standard output as log shippers read it: a line that is not a JSON object, or that does not name the service once. */
function logLineProblems(stdout: string): string[] {
  const problems: string[] = [];
  for (const line of stdout.split('\n').filter((l) => l !== '')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`not JSON: ${line}`);
      continue;
    }
    const services = line.match(/"service":/g)?.length ?? 0;
    if (services !== 1 || (parsed as { service?: unknown }).service !== 'intctl-environment-server') problems.push(`service named ${services} times: ${line}`);
  }
  return problems;
}

describe('intctl environment serve', () => {
  it.each([
    ['SQLite', async (dir: string) => ({ env: { INTCTL_STATE_DIR: dir }, drop: async () => undefined })],
    ['PostgreSQL', async () => {
      const schema = uniqueSchema();
      return { env: { INTCTL_ENV_SERVER_DATABASE_URL: DATABASE_URL, INTCTL_ENV_SERVER_DATABASE_SCHEMA: schema }, drop: () => dropSchema(schema) };
    }],
  ])('serves an environment over %s until SIGTERM, with tokens from a variable and a file', async (_kind, store) => {
    work = await mkdtemp(join(tmpdir(), 'intctl-serve-'));
    await writeFile(join(work, 'controller-token'), `${CONTROLLER}\n`);
    const keyFile = await writeKeyFile(work);
    const { env, drop } = await store(work);
    try {
      const run = await serveOnce({ ...env, INTCTL_ENVIRONMENT_KEY_FILE: keyFile.path, INTCTL_ENV_SERVER_CONTROLLER_TOKEN_FILE: join(work, 'controller-token'), INTCTL_ENV_SERVER_APPLICATION_TOKENS: APP }, async (url) => {
        const driver = new HttpEnvironment({ name: 'prod', url, token: CONTROLLER });
        expect((await driver.observe()).environment).toBe('prod');
        const lease = await driver.acquireLease('controller-a', 10_000);
        expect(lease).toMatchObject({ holder: 'controller-a', token: 1 });
        const app = await fetch(`${url}/v1/state`, { headers: { authorization: `Bearer ${APP}` } });
        expect(app.status).toBe(403);
      });
      expect(run.code).toBe(0);
      expect(logLineProblems(run.stdout)).toEqual([]);
      expect(run.stdout).toContain('"msg":"signal received; closing"');
      expect(run.output).not.toContain(CONTROLLER);
      expect(run.output).not.toContain(APP);
      expect(run.output).not.toContain(Buffer.from(keyFile.key).toString('base64'));
    } finally {
      await drop();
    }
  });

  it('refuses to start without a controller token, naming every problem', async () => {
    await expect(readEnvironmentServerConfig({}, { INTCTL_ENV_SERVER_APPLICATION_TOKENS: 'short' }, '/tmp')).rejects.toThrow(
      /the environment name .* must be a lowercase DNS label[\s\S]*INTCTL_ENV_SERVER_CONTROLLER_TOKEN \(or _FILE\)[\s\S]*every token must have at least 16 characters/,
    );
  });

  it('keeps a SQLite file under the state directory by default, and PostgreSQL when a database is named', async () => {
    work = await mkdtemp(join(tmpdir(), 'intctl-serve-'));
    const keyFile = await writeKeyFile(work);
    const base = { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER, INTCTL_STATE_DIR: '/var/lib/intctl', INTCTL_ENVIRONMENT_KEY_FILE: keyFile.path };
    expect((await readEnvironmentServerConfig({ name: 'prod' }, base, '/tmp')).store).toEqual({ kind: 'sqlite', path: '/var/lib/intctl/environments/prod.db' });
    expect((await readEnvironmentServerConfig({ name: 'prod' }, { ...base, INTCTL_ENV_SERVER_DATABASE_URL: DATABASE_URL }, '/tmp')).store).toEqual({
      kind: 'postgresql',
      url: DATABASE_URL,
      schema: 'intctl',
    });
  });
});
