import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'intctl.js');

/**
 * Runs `intctl environment serve --name prod --port 0 ...args` in a child process until it either
 * says where it listens (then stops it with SIGTERM) or exits on its own; returns its exit code,
 * whether it served, and everything it printed (stdout and stderr, JSON log lines included).
 * `as` runs it as another user (the test process must be root to do so).
 */
export async function spawnServe(args: string[], env: Record<string, string>, as?: { uid: number; gid: number }): Promise<{ code: number | null; served: boolean; output: string }> {
  const child = spawn(process.execPath, [BIN, 'environment', 'serve', '--name', 'prod', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', INTCTL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(as ?? {}),
  });
  let output = '';
  let served = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (!served && /"url":"http:\/\/127\.0\.0\.1:\d+"[^\n]*"msg":"environment server listening"/.test(output)) {
      served = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await exited;
  return { code, served, output };
}
