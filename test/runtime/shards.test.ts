/**
 * Three real `intctl controller` processes share nine environments through one Git remote. Each
 * environment is reconciled by exactly one replica, the one rendezvous hashing names; when a
 * replica is killed (SIGKILL, in the middle of applying a new commit), the other two take its
 * environments over once its lease has expired, and no action is ever applied twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf } from '../../controller/core/shard-ring.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { LogLine } from './support/capture-logs.ts';
import type { Operation } from '../../controller/generated/manifests.ts';
import { copyCrmSpec, crmConnection, crmIntegration } from '../support/crm.ts';
import { commitAll, createGitRemote, type GitRemote } from '../support/git-repo.ts';
import { environment, PINS, toYaml } from '../support/manifests.ts';
import { deadline, until as untilTrue } from '../support/time.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
const LEASE_TTL_MS = 3000;
/** The bearer token of each replica's POST /webhooks/generic, which the test calls after every push. */
const WEBHOOK_TOKEN = 'shards-test-generic-webhook-token';
/** Three environments per shard while all three are live (checked below, not assumed). */
const ENVIRONMENTS = ['env-0', 'env-4', 'env-8', 'env-1', 'env-9', 'env-12', 'env-2', 'env-3', 'env-5'];
/** Enough integrations that an apply of all of them takes a while: the victim is frozen in the middle of one. */
const INTEGRATIONS = Array.from({ length: 12 }, (_, i) => `crm-${String.fromCharCode(97 + i)}`);
const ALL = [0, 1, 2];
const VICTIM = 0;
const SURVIVORS = [1, 2];

interface Replica {
  shard: number;
  url: string;
  child: ChildProcess;
  lines: LogLine[];
  stderr: string;
  /** Called on every log line as it is read, before anything else runs. */
  onLine?: (line: LogLine) => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let work: string;
let repo: GitRemote;
let envDir: string;
const replicas: Replica[] = [];

/** Waits until `test` holds; past the (scaled) deadline, fails with the tail of every replica's log. */
function until<T>(what: string, test: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const explain = () =>
    replicas.map((r) => `--- shard ${r.shard} (exit ${r.child.exitCode ?? r.child.signalCode}):\n${r.lines.slice(-15).map((l) => JSON.stringify(l)).join('\n')}\n${r.stderr}`).join('\n');
  return untilTrue(what, test, { timeoutMs, everyMs: 100, explain });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(deadline(2000)) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

function manifests(operations: Operation[]): Record<string, string> {
  const policy = { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: true };
  const files: Record<string, string> = {};
  files['environments.yaml'] = toYaml(...ENVIRONMENTS.map((name) => environment({ name, path: `shared/${name}.sqlite`, policy, dependencies: PINS })));
  files['connections/crm.yaml'] = toYaml(crmConnection(Object.fromEntries(ENVIRONMENTS.map((name) => [name, { plain: 'not-a-real-key' }]))));
  for (const name of INTEGRATIONS) files[`integrations/${name}.yaml`] = toYaml(crmIntegration({ name, operations, environments: ENVIRONMENTS }));
  return files;
}

/**
 * Commits the files in the clone; `onCommit` hears of the commit before it is pushed to the
 * remote. Then tells every replica of the push through its generic webhook, as CI would, so that
 * none waits for its next poll; a replica that does not answer (one the test has frozen) is left
 * to that poll, as a real one would be.
 */
async function push(message: string, files: Record<string, string>, onCommit?: (commit: string) => void): Promise<string> {
  repo.writeFiles(files);
  const commit = commitAll(repo.work, message);
  onCommit?.(commit);
  repo.push('main');
  await Promise.all(
    replicas.map((r) =>
      fetch(`${r.url}/webhooks/generic`, { method: 'POST', headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` }, signal: AbortSignal.timeout(deadline(2000)) }).catch(() => undefined),
    ),
  );
  return commit;
}

function startReplica(shard: number, ports: number[]): Replica {
  const peers = ports.map((port) => `http://127.0.0.1:${port}`).join(',');
  const config = join(work, `controller-${shard}.yaml`);
  const child = spawn(process.execPath, [BIN, 'controller', '--config', config, '--shard', `intctl-controller-${shard}`, '--shards', '3', '--shard-peers', peers], {
    cwd: work,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, INTCTL_HOLDER: `replica-${shard}`, INTCTL_WEBHOOK_TOKEN: WEBHOOK_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const replica: Replica = {
    shard,
    url: `http://127.0.0.1:${ports[shard]}`,
    child,
    lines: [],
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stderr!.on('data', (chunk: Buffer) => (replica.stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      const line = JSON.parse(text) as LogLine;
      replica.lines.push(line);
      replica.onLine?.(line);
    } catch {
      replica.stderr += `${text}\n`;
    }
  });
  return replica;
}

async function writeConfig(shard: number, port: number, remote: string): Promise<void> {
  await writeFile(
    join(work, `controller-${shard}.yaml`),
    [
      `git: { url: ${JSON.stringify(remote)} }`,
      `listen: { host: 127.0.0.1, port: ${port} }`,
      // Pushes are announced by the webhook; the poll goes on in the background, as in production,
      // without a Git fetch and a reconcile of every environment of every replica each second.
      'poll: { schedule: "*/5 * * * * *", jitterMs: 0 }',
      `stateDir: state-${shard}`,
      `leaseTtlMs: ${LEASE_TTL_MS}`,
      'shard: { probeIntervalMs: 250 }',
      'queue: { concurrency: 1, backoffBaseMs: 200, backoffMaxMs: 2000, requeueWaitingMs: 1000 }',
      '',
    ].join('\n'),
  );
}

interface StatusReply {
  environments: Array<{ name: string; outcome: string; observedCommit?: string }>;
}

/** Whether the replica reports the environment Applied at the commit. */
async function appliedAt(replica: Replica, environment: string, commit: string): Promise<boolean> {
  const reply = await getJson<StatusReply>(`${replica.url}/api/v1/status`);
  return reply?.environments.some((e) => e.name === environment && e.outcome === 'Applied' && e.observedCommit === commit) ?? false;
}

const linesOf = (replica: Replica, msg: string, environment: string, commit?: string) =>
  replica.lines.filter((l) => l.msg === msg && l.environment === environment && (commit === undefined || l.commit === commit));

/** Which replicas did something to the environment (at the commit): logged a finished reconcile or an applied action. */
const reconciledBy = (environment: string, commit: string, among: readonly Replica[] = replicas) =>
  among.filter((r) => linesOf(r, 'reconcile finished', environment, commit).length + linesOf(r, 'action applied', environment, commit).length > 0).map((r) => r.shard);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-shards-'));
  envDir = join(work, 'environments');
  repo = createGitRemote({ root: work, clone: 'clone' });
  const remote = repo.remote;
  copyCrmSpec(repo.work);
  // No environments yet: the replicas start, find each other, then the environments arrive in one push.
  await push('the specification only', { 'README.md': 'integrations\n' });
  const ports = [await freePort(), await freePort(), await freePort()];
  // Every replica opens the same SQLite stores: `shared/` in each replica's state directory (a
  // store path stays inside the state directory) is a link to one directory of environments.
  await mkdir(envDir);
  for (const shard of ALL) {
    await mkdir(join(work, `state-${shard}`));
    await symlink(envDir, join(work, `state-${shard}`, 'shared'));
  }
  for (const shard of ALL) await writeConfig(shard, ports[shard]!, remote);
  for (const shard of ALL) replicas.push(startReplica(shard, ports));
});

afterAll(async () => {
  // A failed test must not leave its controllers running.
  for (const replica of replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
  }
  await Promise.all(replicas.map((r) => r.exited));
  await rm(work, { recursive: true, force: true });
});

describe('three controller replicas, one Git remote, nine environments', () => {
  it('reconcile each environment on exactly one replica, take over a killed one after its lease expires, and never apply twice', async () => {
    // The split the test relies on: three environments per shard, and the victim's going to both survivors.
    for (const shard of ALL) expect(ENVIRONMENTS.filter((e) => ownerOf(e, ALL) === shard)).toHaveLength(3);
    const victimsEnvironments = ENVIRONMENTS.filter((e) => ownerOf(e, ALL) === VICTIM);
    expect(new Set(victimsEnvironments.map((e) => ownerOf(e, SURVIVORS)))).toEqual(new Set(SURVIVORS));

    // Every replica is ready and counts all three as live.
    await until('every replica ready, seeing the other two', async () => {
      const replies = await Promise.all(replicas.map((r) => getJson<{ shard: number; ready: boolean; live: number[] }>(`${r.url}/api/v1/shard`)));
      return replies.every((reply, i) => reply?.shard === i && reply.ready && reply.live.join() === '0,1,2') || undefined;
    });

    // The environments arrive: each is applied by its owner, and by nobody else.
    const first = await push('nine environments', manifests(['Get', 'Search', 'Count']));
    for (const environment of ENVIRONMENTS) {
      const owner = replicas[ownerOf(environment, ALL)!]!;
      await until(`${environment} applied at ${first} by shard ${owner.shard}`, () => appliedAt(owner, environment, first));
    }
    for (const environment of ENVIRONMENTS) {
      expect({ environment, by: reconciledBy(environment, first) }).toEqual({ environment, by: [ownerOf(environment, ALL)] });
    }

    // A new commit changes every integration. The victim is frozen (SIGSTOP) as soon as it has
    // applied the first action of it to one of its environments; if it still holds that
    // environment's lease, it is killed there; if that apply had already ended, it goes on to its
    // next environment, and after its last it is killed anyway.
    const victim = replicas[VICTIM]!;
    const frozen: string[] = [];
    let second = '';
    victim.onLine = (line) => {
      if (line.msg !== 'action applied' || line.commit !== second || frozen.includes(String(line.environment))) return;
      victim.child.kill('SIGSTOP');
      frozen.push(String(line.environment));
    };
    await push('fewer operations', manifests(['Get', 'Search']), (commit) => (second = commit));
    let heldAtKill = new Map<string, { token: number; expiresAt: number }>();
    for (let checked = 0; checked < victimsEnvironments.length; checked++) {
      await until('the victim applying the new commit', () => frozen.length > checked || undefined);
      heldAtKill = leasesHeldBy('replica-0');
      if (heldAtKill.size > 0 || checked === victimsEnvironments.length - 1) break;
      victim.child.kill('SIGCONT');
    }
    victim.child.kill('SIGKILL');
    await victim.exited;

    // The survivors take over the victim's environments and apply the new commit everywhere.
    for (const environment of ENVIRONMENTS) {
      const owner = replicas[ownerOf(environment, SURVIVORS)!]!;
      await until(`${environment} applied at ${second} by shard ${owner.shard}`, () => appliedAt(owner, environment, second), 45_000);
    }
    for (const environment of ENVIRONMENTS) {
      expect({ environment, by: reconciledBy(environment, second, replicas.slice(1)) }).toEqual({ environment, by: [ownerOf(environment, SURVIVORS)] });
    }
    const survivors = replicas.slice(1);
    expect(survivors.every((r) => r.lines.some((l) => l.msg === 'shard membership changed' && (l.gone as number[]).includes(VICTIM)))).toBe(true);

    // The survivors shut down gracefully; then every environment's store is read.
    for (const replica of survivors) replica.child.kill('SIGTERM');
    const exits = await Promise.all(survivors.map((r) => r.exited));
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);

    for (const environment of ENVIRONMENTS) {
      const driver = await openEmbeddedEnvironment(join(envDir, `${environment}.sqlite`), { name: environment, create: false });
      try {
        const log = await driver.actionLog();
        const observed = await driver.observe();
        // At the new commit everywhere.
        expect({ environment, commits: observed.integrations.map((i) => [i.name, i.commit]) }).toEqual({ environment, commits: INTEGRATIONS.map((name) => [name, second]) });
        // No action twice: not the same id, nor the same change of the same commit under another plan.
        const ids = log.map((a) => a.actionId);
        expect(new Set(ids).size).toBe(ids.length);
        const changes = log.map((a) => `${a.commit} ${a.type} ${a.target}`);
        expect({ environment, twice: changes.filter((c, i) => changes.indexOf(c) !== i) }).toEqual({ environment, twice: [] });
        expect(log.filter((a) => a.commit === second && a.type === 'Publish').map((a) => a.target).sort()).toEqual(INTEGRATIONS);
        // An environment whose lease the victim still held when it died was applied to again only
        // once that lease had expired, under a newer fencing token (if anything was left to apply:
        // the victim may have been frozen after its last action, before releasing the lease).
        const held = heldAtKill.get(environment);
        if (held) {
          for (const action of log.filter((a) => a.commit === second && a.leaseToken !== held.token)) {
            expect(action.leaseToken).toBeGreaterThan(held.token);
            expect(Date.parse(action.appliedAt)).toBeGreaterThanOrEqual(held.expiresAt);
          }
        }
      } finally {
        await driver.close();
      }
    }
    // The victim's environments that it had not finished were applied by the survivors.
    const takenOver = victimsEnvironments.filter((e) => linesOf(replicas[ownerOf(e, SURVIVORS)!]!, 'action applied', e, second).length > 0);
    expect(takenOver.length).toBeGreaterThan(0);
  }, deadline(90_000));
});

/**
 * The environments whose lease the holder still has (unexpired), read from their stores without
 * writing to them. A store the frozen victim has locked (it was stopped while closing it, after
 * its apply had released the lease) counts as not held.
 */
function leasesHeldBy(holder: string): Map<string, { token: number; expiresAt: number }> {
  const held = new Map<string, { token: number; expiresAt: number }>();
  for (const environment of ENVIRONMENTS) {
    let db: Database.Database | undefined;
    try {
      db = new Database(join(envDir, `${environment}.sqlite`), { readonly: true, fileMustExist: true, timeout: 500 });
      const row = db.prepare('SELECT holder, token, expires_at FROM lease WHERE id = 1').get() as { holder: string | null; token: number; expires_at: number | null };
      if (row.holder === holder && row.expires_at !== null && row.expires_at > Date.now()) held.set(environment, { token: row.token, expiresAt: row.expires_at });
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    } finally {
      db?.close();
    }
  }
  return held;
}
