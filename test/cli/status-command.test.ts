import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { printStyled } from '../../controller/cli/color.ts';
import { renderStatus, statusLineStyle } from '../../controller/cli/status/render-status.ts';
import type { StatusView } from '../../controller/cli/status/status-view.ts';
import { runCli } from '../helpers/cli.ts';
import { createFixtureRepo } from '../runtime/support/fixture-repo.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
let work: string;
let head: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-status-'));
  head = await createFixtureRepo(join(work, 'repo'));
}, 60_000);
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});
afterAll(async () => rm(work, { recursive: true, force: true }));

const status = (...args: string[]) => runCli(['status', '--repo', 'repo', '--state-dir', 'state', ...args], work);

describe('intctl status from the repository', () => {
  it('lists every environment in promotion order, each with its conditions, the commit it is at and what is pending', async () => {
    const before = await status('-o', 'json');
    expect(before.code).toBe(0);
    const view = JSON.parse(before.stdout);
    expect(view).toMatchObject({ source: 'repository', head });
    expect(view.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'test']);
    // Nothing was created: a status reads stores, it never makes them.
    expect(view.environments[0].conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'EnvironmentNotInitialized' });

    expect((await runCli(['apply', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'], work)).code).toBe(0);
    const after = await status();
    expect(after.code).toBe(0);
    const lines = after.stdout.split('\n');
    expect(lines[0]).toBe(`Repository repo at ${head.slice(0, 7)}`);
    expect(lines[2]).toMatch(/^ENVIRONMENT +FROM +READY +REASON +COMMIT +PENDING +MESSAGE$/);
    expect(lines[3]).toMatch(new RegExp(`^dev +- +True +ReconciliationSucceeded +${head.slice(0, 7)} +0$`));
    expect(lines[4]).toMatch(new RegExp(`^test +dev +False +EnvironmentNotInitialized, Stalled +none -> ${head.slice(0, 7)} +- +environment test has no store`));
  });

  it('history: an apply made with intctl apply is manual, and a repository without the status branch says how to get it', async () => {
    const run = await runCli(['history', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '-o', 'json'], work);
    expect(run.code).toBe(0);
    const history = JSON.parse(run.stdout);
    expect(history.applies).toHaveLength(1);
    expect(history.applies[0]).toMatchObject({ commit: head, trigger: 'manual' });
    expect(history.statusBranch).toEqual({ branch: 'intctl/status', commits: [] });
    expect(history.notes).toEqual(["no status branch intctl/status in repo (git fetch origin intctl/status brings the controller's)"]);
    const none = await runCli(['history', '--env', 'test', '--repo', 'repo', '--state-dir', 'state'], work);
    expect(none.stdout).toContain('  nothing applied yet\n');
    expect(none.stdout).toContain('note: the action log of test cannot be read: environment test has no store');
  });

  it('prints the same data as JSON and as YAML, in the object model', async () => {
    const json = await status('-o', 'json');
    const yaml = await status('-o', 'yaml');
    expect(yaml.code).toBe(0);
    const fromJson = JSON.parse(json.stdout);
    // Conditions carry the time of this status: compare all but that.
    const untimed = (view: { environments: Array<{ conditions: Array<{ lastTransitionTime?: string }> }> }) => {
      for (const e of view.environments) for (const c of e.conditions) delete c.lastTransitionTime;
      return view;
    };
    expect(untimed(parse(yaml.stdout))).toEqual(untimed(fromJson));
    expect(fromJson.environments[0]).toMatchObject({ name: 'dev', suspended: false, pending: { actions: 0, breaking: 0, destructive: 0 }, gate: { allowed: true, reason: 'NothingToDo' } });
  });

  it('refuses --server together with --repo, and a bad --interval, with exit 64', async () => {
    const both = await runCli(['status', '--repo', 'repo', '--server', 'http://127.0.0.1:1'], work);
    expect(both.code).toBe(64);
    expect(both.stderr).toContain('give one or the other');
    const interval = await status('--watch', '--interval', 'soon');
    expect([interval.code, interval.stderr.split('\n')[0]]).toEqual([64, 'intctl: --interval must be a positive duration such as 500ms, 30s, 5m or 1h, not "soon"']);
  });

  it('--watch redraws in place on a terminal, showing a change as it happens, until Ctrl-C', async () => {
    // A pseudo-terminal, as a person's: script(1) runs the command on one and relays what it draws.
    const command = `exec ${process.execPath} ${BIN} status --watch --interval 100ms --repo repo --state-dir watch-state`;
    const script = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    child = script;
    let screen = '';
    const waiters: Array<() => void> = [];
    script.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      for (const waiter of waiters) waiter();
    });
    const exited = new Promise<number | null>((resolve) => script.on('exit', (code) => resolve(code)));
    const seen = (test: (text: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => test(screen) && resolve();
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`the watch ended before showing it:\n${screen}`)));
      });
    const REDRAW = '\u001b[H\u001b[2J';
    const frames = () => screen.split(REDRAW).filter((f) => /\ntest +dev +\S+/.test(f));
    await seen(() => frames().length > 0);
    expect(frames().at(-1)).toMatch(/\ndev +- +False +EnvironmentNotInitialized/);

    // A change made while it watches appears in a later frame, drawn over the last.
    expect((await runCli(['apply', '--env', 'dev', '--repo', 'repo', '--state-dir', 'watch-state'], work)).code).toBe(0);
    await seen(() => /\ndev +- +True +ReconciliationSucceeded/.test(frames().at(-1) ?? ''));
    expect(frames().length).toBeGreaterThan(1);

    script.stdin.write('\u0003');
    expect({ code: await exited, end: screen.slice(-200) }).toMatchObject({ code: 0 });
  }, 60_000);

  it('--watch in a pipe prints a new listing only when it changed, and ends 0 on SIGINT', async () => {
    const watcher = spawn(process.execPath, [BIN, 'status', '--watch', '--interval', '100ms', '--repo', 'repo', '--state-dir', 'pipe-state'], { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = watcher;
    let out = '';
    const waiters: Array<() => void> = [];
    watcher.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const waiter of waiters) waiter();
    });
    const exited = new Promise<number | null>((resolve) => watcher.on('exit', (code) => resolve(code)));
    const seen = (test: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => test() && resolve();
        waiters.push(check);
        check();
        void exited.then(() => reject(new Error(`the watch ended first:\n${out}`)));
      });
    const listings = () => out.split(/\n(?=Repository )/);
    await seen(() => /\ntest .*\n$/.test(out));
    expect(out).not.toContain('\u001b');
    expect((await runCli(['apply', '--env', 'dev', '--repo', 'repo', '--state-dir', 'pipe-state'], work)).code).toBe(0);
    await seen(() => /\ndev +- +True +ReconciliationSucceeded/.test(listings().at(-1) ?? '') && /\ntest .*\n$/.test(out));
    // Refreshes that changed nothing printed nothing: no listing repeats the one before it.
    const all = listings();
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < all.length; i++) expect(all[i]).not.toBe(all[i - 1]);
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);
});

// Escape sequences are what this test looks for.
/* eslint-disable no-control-regex */
describe('the colour of status lines', () => {
  it('marks an environment that would apply breaking or destructive actions, on a terminal', () => {
    const condition = { type: 'Ready', status: 'False', reason: 'ChangesPending', message: '2 actions to apply', lastTransitionTime: '2026-12-02T17:00:00Z' } as const;
    const environment = (name: string, breaking: number, destructive: number) => ({ name, suspended: false, conditions: [condition], outcome: 'Planned', pending: { actions: 2, breaking, destructive } });
    const view: StatusView = { source: 'repository', from: '.', head: 'a'.repeat(40), environments: [environment('dev', 0, 0), environment('test', 1, 0), environment('prod', 0, 1)] };
    let screen = '';
    const write = (text: string) => void (screen += text);
    printStyled({ stdout: write, stderr: write, cwd: '.', terminal: { color: true, write } }, renderStatus(view), statusLineStyle(view));
    const lines = screen.split('\n');
    expect(lines[3]).toMatch(/^dev /);
    expect(lines[4]).toMatch(/^\u001b\[1;31mtest .*2 \(1 breaking\).*\u001b\[0m$/);
    expect(lines[5]).toMatch(/^\u001b\[31mprod .*2 \(1 destructive\).*\u001b\[0m$/);
  });
});

