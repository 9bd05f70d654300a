import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { LogLine } from './support/capture-logs.ts';
import { createFixtureRepo } from './support/fixture-repo.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
let work: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-sigterm-'));
});
afterEach(async () => {
  // A test that failed half-way must not leave its controller running.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await rm(work, { recursive: true, force: true });
});

/** Resolves once a line satisfying the test has been written; rejects if the process ends first. */
function waitForLine(lines: LogLine[], listeners: Array<() => void>, test: (line: LogLine) => boolean, exited: Promise<unknown>): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = lines.find(test);
      if (found) resolve(found);
    };
    listeners.push(check);
    check();
    void exited.then(() => reject(new Error(`the controller exited before writing the line:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`)));
  });
}

/** Asks until the answer is 200; the test's own timeout bounds it. */
async function waitUntilReady(url: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${url}/readyz`).catch(() => undefined);
    if (response?.status === 200) return;
    await sleep(50);
  }
}

describe('intctl controller in its own process', () => {
  it('on SIGTERM finishes the reconcile in flight, releases the lease and exits 0', async () => {
    await createFixtureRepo(join(work, 'repo'));
    await writeFile(join(work, 'controller.yaml'), 'git: { url: repo }\nlisten: { host: 127.0.0.1, port: 0 }\npoll: { schedule: off }\nstateDir: state\nholder: sigterm-test\n');
    const controller = spawn(process.execPath, [BIN, 'controller', '--config', join(work, 'controller.yaml')], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = controller;
    let stderr = '';
    controller.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => controller.on('exit', (code, signal) => resolve({ code, signal })));
    const lines: LogLine[] = [];
    const listeners: Array<() => void> = [];
    createInterface({ input: controller.stdout }).on('line', (text) => {
      lines.push(JSON.parse(text) as LogLine);
      for (const listener of listeners) listener();
    });

    const listening = await waitForLine(lines, listeners, (l) => l.msg === 'listening', exited);
    await waitUntilReady(String(listening.url));
    // Signal as soon as the first action of an apply is done: the rest of that apply must still run.
    await waitForLine(lines, listeners, (l) => l.msg === 'action applied', exited);
    controller.kill('SIGTERM');
    const exit = await exited;

    expect({ ...exit, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const messages = lines.map((l) => l.msg);
    expect(messages.indexOf('signal received')).toBeGreaterThan(-1);
    expect(messages.at(-1)).toBe('stopped');
    const devFinished = lines.find((l) => l.msg === 'reconcile finished' && l.environment === 'dev');
    expect(devFinished).toMatchObject({ outcome: 'Applied' });

    for (const name of ['dev', 'test']) {
      const file = join(work, 'state', `${name}.sqlite`);
      if (!existsSync(file)) continue;
      const environment = await openEmbeddedEnvironment(file, { name, create: false });
      try {
        const log = await environment.actionLog();
        // Each apply that began ran to its end: every action of the plan is in the log.
        if (name === 'dev') expect(log.map((a) => `${a.type} ${a.target}`)).toContain('Publish crm');
        // The lease is free: another holder takes it at once.
        expect(await environment.acquireLease('another-controller', 1000)).toMatchObject({ holder: 'another-controller' });
      } finally {
        await environment.close();
      }
    }
  });
});
