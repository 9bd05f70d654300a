/**
 * An apply killed with SIGKILL between two actions (a real child process) leaves an environment
 * the next apply completes: nothing applied twice, nothing lost, the dead controller's lease
 * taken over once it expires and its fencing token retired.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEPENDENCY_NAMES } from '../../controller/core/dependencies.ts';
import type { LogRow } from '../../controller/environments/store/rows.ts';
import { runCli } from '../helpers/cli.ts';
import { deadline } from '../support/time.ts';
import { namesOf, writeRepository, type RepositoryShape } from './generated-repository.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'intctl.js');
const CHILD = join(import.meta.dirname, 'crash-child.ts');
const LEASE_TTL_MS = 1500;

interface Running {
  output: () => string;
  /** Resolves with the signal that ended the process, or its exit code. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done: () => boolean;
  kill: () => void;
}

function start(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let finished = false;
  // Always drained: the CLI prints a line per action, and a full pipe would stall it.
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      finished = true;
      done({ code, signal });
    }),
  );
  return { output: () => output, ended, done: () => finished, kill: () => void child.kill('SIGKILL') };
}

/** Waits for a line of the child's output; fails, with what it printed, if the child ends first. */
async function lineOf(child: Running, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.done()) throw new Error(`the child ended before printing ${pattern}:\n${child.output()}`);
    await sleep(20);
  }
}

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function setUp(shape: RepositoryShape): Promise<{ repo: string; state: string; db: string }> {
  dir = await mkdtemp(join(tmpdir(), 'intctl-crash-'));
  const repo = join(dir, 'repo');
  await writeRepository(repo, shape);
  const init = await runCli(['env', 'init', 'dev', '--repo', repo, '--state-dir', join(dir, 'state')], dir);
  expect(init.code, init.stderr).toBe(0);
  return { repo, state: join(dir, 'state'), db: join(dir, 'state', 'dev.sqlite') };
}

function readLog(path: string): LogRow[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], LogRow>('SELECT * FROM action_log ORDER BY seq').all();
  } finally {
    db.close();
  }
}

/** Until the dead controller's lease has expired: a surviving controller can take it then. */
async function leaseExpired(path: string): Promise<void> {
  const db = new Database(path, { readonly: true });
  try {
    for (;;) {
      const lease = db.prepare<[], { holder: string | null; expires_at: number | null }>('SELECT holder, expires_at FROM lease WHERE id = 1').get()!;
      if (lease.holder === null || (lease.expires_at ?? 0) <= Date.now()) return;
      await sleep(100);
    }
  } finally {
    db.close();
  }
}

/** `intctl apply` run by another controller, as the crashed one's replacement. */
async function applyWithCli(repo: string, state: string): Promise<string> {
  await leaseExpired(join(state, 'dev.sqlite'));
  const run = await runCli(['apply', '--env', 'dev', '--repo', repo, '--state-dir', state], dir);
  expect(run.stderr).toBe('');
  expect(run.code, run.stdout.slice(-2000)).toBe(0);
  return run.stdout;
}

/** The environment holds exactly what Git names, and its log shows every change made once. */
async function expectConverged(repo: string, state: string, shape: RepositoryShape, total: number): Promise<LogRow[]> {
  const names = namesOf(shape);
  const planned = await runCli(['plan', '--env', 'dev', '--repo', repo, '--state-dir', state, '-o', 'json'], dir);
  expect(planned.code, planned.stdout.slice(0, 2000)).toBe(0);
  expect((JSON.parse(planned.stdout) as { plan: { actions: unknown[] } }).plan.actions).toEqual([]);

  const log = readLog(join(state, 'dev.sqlite'));
  expect(log).toHaveLength(total);
  expect(new Set(log.map((e) => e.action_id)).size).toBe(total);
  const changes = log.map((e) => `${e.type} ${e.target}`);
  expect(new Set(changes).size).toBe(total);
  expect(changes.sort()).toEqual(
    [
      ...DEPENDENCY_NAMES.map((d) => `UpdateDependency ${d}`),
      ...names.connections.map((c) => `UpsertConnection ${c}`),
      ...names.integrations.map((i) => `Publish ${i}`),
    ].sort(),
  );

  const db = new Database(join(state, 'dev.sqlite'), { readonly: true });
  try {
    const published = db.prepare<[], { name: string; artifact_hash: string }>('SELECT name, artifact_hash FROM integrations ORDER BY name').all();
    expect(published.map((i) => i.name)).toEqual(names.integrations);
    const hashes = new Map(log.filter((e) => e.type === 'Publish').map((e) => [e.target, e.result]));
    for (const integration of published) expect(integration.artifact_hash).toBe(hashes.get(integration.name));
    expect(db.prepare('SELECT name FROM connections ORDER BY name').pluck().all()).toEqual([...names.connections].sort());
  } finally {
    db.close();
  }
  return log;
}

describe('an apply killed between two actions', () => {
  it('twice, once among the connections and once between two publishes, is completed by the next apply, nothing twice and nothing lost', async () => {
    // 5 dependencies, 31 connections, 10 integrations: 46 actions.
    const shape = { integrations: 10, extraConnections: 30 };
    const total = DEPENDENCY_NAMES.length + 1 + shape.extraConnections + shape.integrations;
    const { repo, state, db } = await setUp(shape);
    const controller = (stopAfter: number): Running => start(['--import', 'tsx', CHILD, repo, state, String(stopAfter), 'controller-a', String(LEASE_TTL_MS)]);

    const first = controller(20);
    expect((await lineOf(first, /stopped after (\d+) of (\d+)/)).slice(1)).toEqual(['20', String(total)]);
    first.kill();
    expect(await first.ended).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readLog(db).map((e) => e.type).slice(18)).toEqual(['UpsertConnection', 'UpsertConnection']);

    // The same controller restarted: it takes its own lease again, with a new fencing token, and re-plans what is left.
    const second = controller(20);
    expect((await lineOf(second, /stopped after (\d+) of (\d+)/)).slice(1)).toEqual(['20', String(total - 20)]);
    second.kill();
    expect(await second.ended).toEqual({ code: null, signal: 'SIGKILL' });
    const afterTwo = readLog(db);
    expect(afterTwo).toHaveLength(40);
    expect(afterTwo.map((e) => e.type).slice(38)).toEqual(['Publish', 'Publish']);

    // Another controller, once the lease has expired.
    expect(await applyWithCli(repo, state)).toContain(`Applied ${total - 40} actions to dev.`);
    const log = await expectConverged(repo, state, shape, total);
    const tokens = [log[0]!.lease_token, log[20]!.lease_token, log[40]!.lease_token];
    expect(log.map((e) => e.lease_token)).toEqual([...Array(20).fill(tokens[0]), ...Array(20).fill(tokens[1]), ...Array(total - 40).fill(tokens[2])]);
    expect(tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!).toBe(true);
  }, deadline(60_000));

  it('when it is `intctl apply` itself, killed while it works through a long plan, is completed by the next apply', async () => {
    // Thousands of cheap connection upserts make the apply long enough to be caught halfway.
    const shape = { integrations: 4, extraConnections: 2500 };
    const total = DEPENDENCY_NAMES.length + 1 + shape.extraConnections + shape.integrations;
    const { repo, state, db: path } = await setUp(shape);
    const db = new Database(path);
    let applied: number;
    try {
      db.pragma('busy_timeout = 30000');
      const count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM action_log');
      const cli = start([BIN, 'apply', '--env', 'dev', '--repo', repo, '--state-dir', state], { INTCTL_LEASE_TTL_MS: String(LEASE_TTL_MS), INTCTL_HOLDER: 'cli-controller' });
      while (count.get()!.n === 0) {
        if (cli.done()) throw new Error(`intctl apply ended before it applied anything:\n${cli.output()}`);
        await sleep(1);
      }
      // Take SQLite's write lock: the apply cannot commit another action, so it dies between two.
      db.exec('BEGIN IMMEDIATE');
      applied = count.get()!.n;
      cli.kill();
      expect(await cli.ended).toEqual({ code: null, signal: 'SIGKILL' });
      db.exec('ROLLBACK');
      if (applied >= total) throw new Error(`intctl apply finished all ${total} actions before it could be killed: make the repository larger`);
    } finally {
      db.close();
    }
    expect(applied).toBeGreaterThan(0);

    expect(await applyWithCli(repo, state)).toContain(`Applied ${total - applied} actions to dev.`);
    const log = await expectConverged(repo, state, shape, total);
    const tokens = [...new Set(log.map((e) => e.lease_token))];
    expect(tokens).toHaveLength(2);
    expect(log.filter((e) => e.lease_token === tokens[0])).toHaveLength(applied);
  }, deadline(60_000));
});
