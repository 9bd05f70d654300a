/**
 * A push announced while another environment's fetch is in flight is not lost: the reconcile it
 * triggers waits for a fetch that began after the trigger (a fetch generation) instead of joining
 * the older fetch, which read the branch before the push. A real bare repository, a real Git
 * mirror, real embedded environments; the fetch in flight is held by a wrapper until the test
 * releases it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitSource } from '../../controller/source/git-source.ts';
import { copyCrmSpec } from '../support/crm.ts';
import { until } from '../support/time.ts';
import { environment, PINS, toYaml } from '../support/manifests.ts';
import { commitAll, createRemoteAndClone, fixtureFiles, writeFiles } from './support/fixture-repo.ts';
import { controllerHarness } from './support/harness.ts';
import { localGitSource } from './support/local-git-source.ts';

const POLICY = { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: false, plainSecrets: true };

/** A source whose next fetch, once armed, completes its real `git fetch` and then waits for release: a fetch in flight that has read the branch. */
function holdingSource(real: GitSource) {
  let armed: { started: () => void; released: Promise<void> } | undefined;
  const source: GitSource = {
    ...real,
    fetch: async () => {
      const commit = await real.fetch();
      const hold = armed;
      armed = undefined;
      if (hold) {
        hold.started();
        await hold.released;
      }
      return commit;
    },
  };
  /** Holds the next fetch; resolves `started` with it once its git fetch is done. */
  const arm = () => {
    let release!: () => void;
    let started!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const fetched = new Promise<void>((resolve) => (started = resolve));
    armed = { started, released };
    return { fetched, release };
  };
  return { source, arm };
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-fetch-generation-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a fetch generation', () => {
  it('settles an environment triggered during another environment\'s fetch at the commit pushed meanwhile', async () => {
    const { remote, clone } = await createRemoteAndClone(work);
    copyCrmSpec(clone);
    // Two environments that do not wait on each other.
    const environments = toYaml(environment({ name: 'dev', path: 'dev.sqlite', policy: POLICY, dependencies: PINS }), environment({ name: 'test', path: 'test.sqlite', policy: POLICY, dependencies: PINS }));
    await writeFiles(clone, fixtureFiles({ files: { 'environments.yaml': environments } }));
    const first = await pushAll(clone, 'crm in dev and test');

    const { source, arm } = holdingSource(localGitSource(remote, 'main', join(work, 'mirror.git')));
    const { controller, logs } = controllerHarness({ source, stateDir: join(work, 'state'), concurrency: 2 });
    /** Reconciles of the environment begun so far: each asks the source for a fetch in the same step as it logs. */
    const begun = (name: string) => logs.lines().filter((l) => l.msg === 'reconcile started' && l.environment === name).length;
    controller.enqueueAll('start');
    await controller.queue.idle();
    expect(controller.statuses().map((s) => [s.environment, s.observedCommit, s.outcome])).toEqual([
      ['dev', first, 'Applied'],
      ['test', first, 'Applied'],
    ]);

    // dev's reconcile fetches (the branch is still at `first`) and is held there.
    const held = arm();
    controller.enqueue(['dev'], 'drift in dev');
    await held.fetched;

    // A push lands, and its trigger reaches test while dev's fetch is in flight.
    const second = await pushAll(clone, 'readme', { 'README.md': 'a change after the fetch began\n' });
    const testBegun = begun('test');
    controller.enqueue(['test'], `push ${second}`);
    await until('test\'s reconcile to ask for a fetch', () => begun('test') > testBegun);
    held.release();
    await controller.queue.idle();

    const status = (name: string) => controller.statuses().find((s) => s.environment === name);
    expect(status('dev')?.observedCommit).toBe(first);
    expect([status('test')?.observedCommit, status('test')?.outcome]).toEqual([second, 'Applied']);
  });
});

/** Writes the files (if any), commits everything and pushes main to the remote; returns the commit. */
async function pushAll(clone: string, message: string, files: Record<string, string> = {}): Promise<string> {
  await writeFiles(clone, files);
  const commit = await commitAll(clone, message);
  await simpleGit({ baseDir: clone }).push('origin', 'main');
  return commit;
}
