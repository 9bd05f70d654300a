import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { commitAll, createFixtureRepo } from './support/fixture-repo.ts';
import { controllerHarness } from './support/harness.ts';
import { localGitSource } from './support/local-git-source.ts';

// The fixture holds dev and test, test promoting from dev: one chain, keyed by dev. solo stands alone.
const SOLO = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: solo }
spec:
  driver: embedded
  path: solo.sqlite
  policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: true }
  dependencies: { integration-utils: 3.0.0, common-shared-services: 1.9.0, secret-manager: 1.4.0, integration-manager: 3.2.0, sharepoint-utils: 1.3.0 }
`;

let work: string;
let repo: string;
let stateDir: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-controller-shards-'));
  repo = join(work, 'repo');
  stateDir = join(work, 'state');
  await createFixtureRepo(repo, { files: { 'solo.yaml': SOLO } });
});
afterEach(async () => rm(work, { recursive: true, force: true }));

/** A controller owning the keys in `mine`, which the test changes as a membership change would. */
function sharded(mine: Set<string>) {
  return controllerHarness({ source: localGitSource(repo), stateDir, owns: (key) => mine.has(key) });
}

const applied = (name: string) => existsSync(join(stateDir, `${name}.sqlite`));

describe('the reconcile loop with shards', () => {
  it('reconciles only the environments it owns, a promotion chain as one', async () => {
    const { controller } = sharded(new Set(['dev']));
    controller.enqueueAll('start');
    await controller.queue.idle();
    expect(controller.owned()).toEqual(['dev', 'test']);
    expect(controller.statuses().map((s) => [s.environment, s.outcome])).toEqual([['dev', 'Applied'], ['test', 'Applied']]);
    expect(applied('solo')).toBe(false);
    expect(controller.enqueueAll('poll')).toEqual(['dev', 'test']);
    await controller.queue.idle();
    // Named by a webhook: known, owned elsewhere, so neither enqueued nor unknown.
    expect(controller.enqueue(['solo', 'dev'], 'webhook')).toEqual({ enqueued: ['dev'], unknown: [] });
    await controller.queue.idle();
    expect(applied('solo')).toBe(false);
  });

  it('warns once per embedded environment that its store is one replica’s own', async () => {
    const { controller, logs } = sharded(new Set(['dev']));
    controller.enqueueAll('start');
    await controller.queue.idle();
    controller.enqueueAll('poll');
    await controller.queue.idle();
    const warned = logs.lines().filter((l) => l.level === 'warn' && String(l.msg).startsWith('an embedded environment with shards'));
    expect(warned.map((l) => l.environment).sort()).toEqual(['dev', 'solo', 'test']);
  });

  it('owning nothing, still fetches on every trigger, to find environments it may own', async () => {
    const { controller } = sharded(new Set());
    expect(controller.enqueueAll('start')).toEqual(['Source/branch']);
    await controller.queue.idle();
    expect([controller.owned(), controller.statuses()]).toEqual([[], []]);
    expect(controller.enqueueAll('poll')).toEqual(['Source/branch']);
    await controller.queue.idle();
    expect(['dev', 'test', 'solo'].some(applied)).toBe(false);
  });

  it('on a rebalance enqueues what it now owns, and forgets the status of what it no longer owns', async () => {
    const mine = new Set(['solo']);
    const { controller } = sharded(mine);
    controller.enqueueAll('start');
    await controller.queue.idle();
    expect(controller.statuses().map((s) => s.environment)).toEqual(['solo']);

    mine.add('dev');
    mine.delete('solo');
    expect(controller.rebalance('test')).toEqual(['dev', 'test']);
    await controller.queue.idle();
    expect(controller.owned()).toEqual(['dev', 'test']);
    expect(controller.statuses().map((s) => [s.environment, s.outcome])).toEqual([['dev', 'Applied'], ['test', 'Applied']]);
    // Nothing gained, nothing enqueued.
    expect(controller.rebalance('test')).toEqual([]);
  });

  it('skips a queued environment that moved to another shard before it was reconciled', async () => {
    const mine = new Set(['dev', 'solo']);
    const { controller } = sharded(mine);
    controller.enqueueAll('start');
    await controller.queue.idle();
    const crm = join(repo, 'integrations', 'crm.yaml');
    await writeFile(crm, (await readFile(crm, 'utf8')).replace('[Get, Search, Count]', '[Get, Search]'));
    const second = await commitAll(repo, 'crm without Count');
    expect(controller.enqueueAll('poll')).toEqual(['dev', 'solo', 'test']);
    // It moves while the reconciles fetch: none of them may apply the new commit.
    mine.clear();
    await controller.queue.idle();
    expect(controller.statuses()).toEqual([]);
    expect(controller.owned()).toEqual([]);
    const driver = await openEmbeddedEnvironment(join(stateDir, 'dev.sqlite'), { name: 'dev', create: false });
    try {
      expect((await driver.actionLog()).filter((a) => a.commit === second)).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});
