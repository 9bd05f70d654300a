import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../controller/generated/manifests.ts';
import { createStatusWriter } from '../../controller/reporting/status-branch/create-status-writer.ts';
import { renderStatusDocument } from '../../controller/reporting/status-branch/status-document.ts';
import { StatusWriteFailedError, type StatusWriterOptions } from '../../controller/reporting/status-branch/status-writer.ts';
import type { EnvironmentStatusDocument } from '../../controller/core/environment-status.ts';
import { createGitShim } from '../support/git-shim.ts';
import { ENVIRONMENT, git, makeRepo, startGitHttpServer, type Repo } from './support.ts';

const AUTHOR = { name: 'intctl', email: 'intctl@example.com' };
const COMMIT = '3dda98b0c8e5d6a7f1e2d3c4b5a6978812345678';
const HASH = `sha256:${'ab'.repeat(32)}`;

let built: Repo;
let repo: Repo;
let main: string;

// The team's repository, one commit on main and no status branch: built once, copied for each test.
beforeAll(() => {
  built = makeRepo('intctl-status-');
  built.write('environments/dev.yaml', ENVIRONMENT);
  main = built.commit('manifests');
});

afterAll(() => built.cleanup());

beforeEach(() => {
  repo = makeRepo('intctl-status-', built);
});

afterEach(() => repo.cleanup());

const writer = (name: string, options: Partial<StatusWriterOptions> = {}) =>
  createStatusWriter({ url: repo.remote, dir: join(repo.root, name), author: AUTHOR, ...options });

function ready(status: Condition['status'], reason: string, message: string): Condition {
  return { type: 'Ready', status, reason, message, observedCommit: COMMIT, lastTransitionTime: '2025-01-02T03:04:05.000Z' };
}

function document(environment: string, overrides: Partial<EnvironmentStatusDocument> = {}): EnvironmentStatusDocument {
  return {
    environment,
    observedCommit: COMMIT,
    conditions: [ready('True', 'ReconciliationSucceeded', 'applied 2 actions')],
    lastApplied: { commit: COMMIT, at: '2025-01-02T03:04:05.000Z', actions: ['Publish orders (New)', 'UpsertConnection sap (New)'] },
    published: [
      { integration: 'orders', version: 'abababababab', artifactHash: HASH, commit: COMMIT },
      { integration: 'accounts', version: 'abababababab', artifactHash: HASH, commit: COMMIT },
    ],
    ...overrides,
  };
}

const show = (rev: string): string => git(repo.remote, 'show', rev);
const parents = (rev: string): string[] => git(repo.remote, 'rev-list', '--parents', '-n', '1', rev).trim().split(' ').slice(1);
const tip = (): string => git(repo.remote, 'rev-parse', 'refs/heads/intctl/status').trim();

describe('createStatusWriter', () => {
  it('creates the status branch with no history and writes status/<environment>.yaml, keys in a fixed order', async () => {
    expect(await writer('a').write(document('prod'))).toBe('written');
    expect(parents('intctl/status')).toEqual([]);
    expect(git(repo.remote, 'ls-tree', '-r', '--name-only', 'intctl/status').trim()).toBe('status/prod.yaml');
    expect(show('intctl/status:status/prod.yaml')).toBe(`environment: prod
observedCommit: ${COMMIT}
conditions:
  - type: Ready
    status: "True"
    reason: ReconciliationSucceeded
    message: applied 2 actions
    observedCommit: ${COMMIT}
    lastTransitionTime: 2025-01-02T03:04:05.000Z
lastApplied:
  commit: ${COMMIT}
  at: 2025-01-02T03:04:05.000Z
  actions:
    - Publish orders (New)
    - UpsertConnection sap (New)
published:
  - integration: accounts
    version: abababababab
    artifactHash: ${HASH}
    commit: ${COMMIT}
  - integration: orders
    version: abababababab
    artifactHash: ${HASH}
    commit: ${COMMIT}
`);
    expect(git(repo.remote, 'log', '-1', '--format=%s|%an <%ae>|%cn', 'intctl/status').trim()).toBe(
      'intctl: prod Ready (ReconciliationSucceeded) at 3dda98b|intctl <intctl@example.com>|intctl',
    );
    expect(git(repo.remote, 'rev-parse', 'main').trim()).toBe(main);
  });

  it('writes the trigger of the last apply in it, kind then detail, between when and what', () => {
    const triggered = document('prod', {
      lastApplied: { actions: ['Publish orders (New)'], trigger: { detail: 'push 3dda98b', kind: 'webhook' }, at: '2025-01-02T03:04:05.000Z', commit: COMMIT },
    });
    expect(renderStatusDocument(triggered)).toContain(`lastApplied:
  commit: ${COMMIT}
  at: 2025-01-02T03:04:05.000Z
  trigger:
    kind: webhook
    detail: push 3dda98b
  actions:
    - Publish orders (New)
`);
    const polled = document('prod', { lastApplied: { commit: COMMIT, at: '2025-01-02T03:04:05.000Z', trigger: { kind: 'poll' }, actions: [] } });
    expect(renderStatusDocument(polled)).toContain('  trigger:\n    kind: poll\n  actions: []\n');
  });

  it('commits nothing for the same content, however the document was put together', async () => {
    const first = writer('a');
    await first.write(document('prod'));
    const before = tip();
    const reordered = document('prod');
    const shuffled: EnvironmentStatusDocument = {
      published: [...reordered.published].reverse(),
      conditions: reordered.conditions.map((c) => ({ lastTransitionTime: c.lastTransitionTime, observedCommit: c.observedCommit, message: c.message, reason: c.reason, status: c.status, type: c.type })),
      observedCommit: reordered.observedCommit,
      environment: 'prod',
      ...(reordered.lastApplied ? { lastApplied: reordered.lastApplied } : {}),
    };
    expect(renderStatusDocument(shuffled)).toBe(renderStatusDocument(document('prod')));
    expect(await first.write(shuffled)).toBe('unchanged');
    // Another writer, with a repository of its own, sees the same.
    expect(await writer('b').write(document('prod'))).toBe('unchanged');
    expect(tip()).toBe(before);
  });

  it('adds a commit on top for a change, and keeps the files of other environments', async () => {
    const w = writer('a');
    await w.write(document('prod'));
    await w.write(document('test'));
    const before = tip();
    const failedDoc = document('prod', { conditions: [ready('False', 'GitFetchFailed', 'cannot fetch')] });
    expect(await w.write(failedDoc)).toBe('written');
    expect(parents('intctl/status')).toEqual([before]);
    expect(git(repo.remote, 'ls-tree', '-r', '--name-only', 'intctl/status').trim().split('\n')).toEqual(['status/prod.yaml', 'status/test.yaml']);
    expect(show('intctl/status:status/prod.yaml')).toContain('reason: GitFetchFailed');
    expect(git(repo.remote, 'log', '-1', '--format=%s', 'intctl/status').trim()).toBe('intctl: prod NotReady (GitFetchFailed) at 3dda98b');
  });

  it('re-applies its change on the tip another writer pushed between its fetch and its push, losing neither update', async () => {
    await writer('a').write(document('alpha'));
    const first = tip();
    // Another writer's commit on top of that tip, pushed from a hook of writer b's repository right
    // after b's fetch updates its remote-tracking branch, and only that once: b then commits on a tip
    // that is no longer the branch's, and its push is refused.
    const other = join(repo.root, 'other');
    git(repo.root, 'clone', '--quiet', '--branch', 'intctl/status', repo.remote, other);
    repo.write('../other/status/gamma.yaml', 'environment: gamma\n');
    git(other, 'add', '-A');
    git(other, 'commit', '--quiet', '-m', 'intctl: gamma Ready (ReconciliationSucceeded) at 0000000');
    const dir = join(repo.root, 'b');
    git(repo.root, 'init', '--quiet', '--bare', dir);
    const hook = join(dir, 'hooks', 'reference-transaction');
    writeFileSync(hook, `#!/bin/sh
[ "$1" = committed ] || exit 0
grep -q ' refs/remotes/origin/intctl/status$' || exit 0
[ -e "${dir}/raced" ] && exit 0
touch "${dir}/raced"
unset GIT_DIR GIT_INDEX_FILE GIT_QUARANTINE_PATH
git -C "${other}" push --quiet origin HEAD:refs/heads/intctl/status
`);
    chmodSync(hook, 0o755);

    const retries: Array<{ path: string; attempt: number }> = [];
    const b = writer('b', { onRetry: (event) => retries.push(event) });
    expect(await b.write(document('beta'))).toBe('written');

    expect(retries).toEqual([{ path: 'status/beta.yaml', attempt: 1 }]);
    expect(git(repo.remote, 'log', '--format=%s', 'intctl/status').trim().split('\n')).toEqual([
      'intctl: beta Ready (ReconciliationSucceeded) at 3dda98b',
      'intctl: gamma Ready (ReconciliationSucceeded) at 0000000',
      'intctl: alpha Ready (ReconciliationSucceeded) at 3dda98b',
    ]);
    expect(parents(git(other, 'rev-parse', 'HEAD').trim())).toEqual([first]);
    expect(git(repo.remote, 'ls-tree', '-r', '--name-only', 'intctl/status').trim().split('\n')).toEqual(['status/alpha.yaml', 'status/beta.yaml', 'status/gamma.yaml']);
  });

  it('lands every write of two writers running at once, in one line of history', async () => {
    const a = writer('a');
    const b = writer('b');
    const rounds = 4;
    for (let round = 1; round <= rounds; round++) {
      const observedCommit = `${String(round).padStart(2, '0')}${COMMIT.slice(2)}`;
      const results = await Promise.all([a.write(document('alpha', { observedCommit })), b.write(document('beta', { observedCommit }))]);
      expect(results).toEqual(['written', 'written']);
      expect(show('intctl/status:status/alpha.yaml')).toContain(`observedCommit: ${observedCommit}`);
      expect(show('intctl/status:status/beta.yaml')).toContain(`observedCommit: ${observedCommit}`);
    }
    const history = git(repo.remote, 'rev-list', '--parents', 'intctl/status').trim().split('\n');
    expect(history).toHaveLength(2 * rounds);
    expect(history.every((line) => line.split(' ').length <= 2)).toBe(true);
  });

  it('spends two git processes on a change of status once it knows the tip, and none on a document already there', async () => {
    // A git on the PATH that logs each command intctl runs, then runs the real one.
    const shim = createGitShim(repo.root);
    const commands = shim.commands;
    const counted = writer('a', { env: shim.env });

    await counted.write(document('alpha'));
    const first = commands().length;
    for (let round = 1; round <= 3; round++) {
      expect(await counted.write(document('alpha', { observedCommit: `${round}${COMMIT.slice(1)}` }))).toBe('written');
    }
    expect(commands().slice(first)).toEqual(['fast-import', 'push', 'fast-import', 'push', 'fast-import', 'push']);
    expect(await counted.write(document('alpha', { observedCommit: `3${COMMIT.slice(1)}` }))).toBe('unchanged');
    expect(commands().length).toBe(first + 6);
    expect(show('intctl/status:status/alpha.yaml')).toContain(`observedCommit: 3${COMMIT.slice(1)}`);
  });

  it('refuses an environment name that is not one, so no path can leave status/', async () => {
    await expect(writer('a').write(document('../main'))).rejects.toThrow(/not an environment name/);
  });
});

describe('createStatusWriter over authenticated http', () => {
  it('pushes with the credentials given, and says so without them when they are refused', async () => {
    const password = 'status-push-Secret-9';
    const server = await startGitHttpServer(repo.root, { username: 'bot', password });
    try {
      const good = writer('a', { url: server.url('remote.git'), auth: { username: 'bot', password } });
      expect(await good.write(document('prod'))).toBe('written');
      expect(server.requests.some((r) => r.url.includes('git-receive-pack'))).toBe(true);
      expect(show('intctl/status:status/prod.yaml')).toContain('environment: prod');

      const bad = writer('b', { url: server.url('remote.git'), auth: { username: 'bot', password: 'nope-Wrong-1' } });
      const error = await bad.write(document('prod', { observedCommit: 'f'.repeat(40) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StatusWriteFailedError);
      expect((error as Error).message).toMatch(/^cannot fetch intctl\/status of http:\/\/127\.0\.0\.1:\d+\/remote\.git: authentication failed/);
      expect((error as Error).message).not.toContain('nope-Wrong-1');
    } finally {
      await server.close();
    }
  });
});
