import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { until } from '../support/time.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-demo-serve-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('intctl demo --serve', () => {
  it("ends by serving the dashboard over the demo's environments, prints its address, and stops on Ctrl-C", async () => {
    // The demo's throwaway repository goes under TMPDIR: here, the test's own directory.
    const env = { PATH: process.env.PATH, HOME: work, TMPDIR: work, INTCTL_STATE_DIR: join(work, 'state') };
    const child = spawn(process.execPath, [BIN, 'demo', '--serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await until('the dashboard address', () => /The dashboard of these environments: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1], { timeoutMs: 120_000, explain: () => stdout + stderr });
      // The next line of the same message: a write of its own, which may come in a later chunk.
      const tokenFile = await until('the API token line', () => /"Reconcile now" asks for the API token in (\S+)\n/.exec(stdout)?.[1], { timeoutMs: 120_000, explain: () => stdout + stderr });
      expect(tokenFile).toBe(join(await realTmp(work), 'api-token'));
      const page = await fetch(`${url}/`);
      expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<script type="module" src="/ui/app.js">')]);
      const overview = await until('the controller to report the three environments', async () => {
        const body = (await (await fetch(`${url}/api/v1/overview`)).json()) as { environments: Array<{ name: string; conditions: unknown[] }> };
        return body.environments.length === 3 && body.environments.every((e) => e.conditions.length > 0) && body.environments.map((e) => e.name);
      });
      expect(overview).toEqual(['dev', 'test', 'prod']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not one, before doing anything', async () => {
    expect(await runCli(['demo', '--port', 'eighty'], work)).toEqual({
      code: 64,
      stdout: '',
      stderr: 'intctl: --port must be a port number from 0 to 65535, not "eighty"\n(run intctl demo --help for usage)\n',
    });
  });
});

/** The demo's work directory sits in TMPDIR: mkdtemp there gives a path under `work` itself. */
async function realTmp(dir: string): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const demo = (await readdir(dir)).find((name) => name.startsWith('intctl-demo-'));
  return join(dir, demo ?? 'missing');
}
