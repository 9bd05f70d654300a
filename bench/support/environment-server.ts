import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The environment server's tokens in the benches: the controller's, and one application's. */
export const CONTROLLER = 'bench-controller-token-0123456789';
export const APP = 'bench-application-token-012345678';

/** A port free a moment ago, for the server to listen on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `intctl environment serve` as its own process, named `bench`, with a SQLite store and a key file
 * in `dir`; resolves once `/healthz` answers (at log level warn the server prints nothing).
 * `nodeFlags` go to that node process (`--cpu-prof` to profile the server); `tree` is the work
 * tree whose bin/intctl.js serves (this one by default; another to compare two).
 */
export async function startEnvironmentServer(dir: string, nodeFlags: readonly string[] = [], tree = join(import.meta.dirname, '..', '..')): Promise<{ url: string; child: ChildProcess }> {
  const keyFile = join(dir, 'environment.key');
  writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, join(tree, 'bin', 'intctl.js'), 'environment', 'serve', '--name', 'bench', '--port', String(port), '--key-file', keyFile], {
    env: { INTCTL_STATE_DIR: dir, INTCTL_LOG_LEVEL: 'warn', INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER, INTCTL_ENV_SERVER_APPLICATION_TOKENS: APP },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`the environment server of ${tree} exited (${exited})`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The floor of one extra hop (bench/support/bare-proxy.ts) in its own process, forwarding to `upstream` with `key`. */
export async function startBareProxy(upstream: string, key: string): Promise<{ url: string; child: ChildProcess }> {
  return startScript('bare-proxy.ts', [upstream, key]);
}

/** The floor of one extra hop for database actions (bench/support/bare-database-proxy.ts) in its own process. */
export async function startBareDatabaseProxy(databaseUrl: string, schema: string): Promise<{ url: string; child: ChildProcess }> {
  return startScript('bare-database-proxy.ts', [databaseUrl, schema]);
}

/** A script of bench/support run through tsx in its own process; resolves with the URL it prints once it listens. */
async function startScript(script: string, args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`the bare proxy exited (${code})`)));
  });
  return { url, child };
}

/**
 * CPU time a process has used so far, in milliseconds (user and system, from /proc; Linux only,
 * NaN elsewhere): the server's CPU per call, which a busy machine changes far less than latency.
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After the command name: utime and stime are fields 14 and 15 of stat, in clock ticks (100 a second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
