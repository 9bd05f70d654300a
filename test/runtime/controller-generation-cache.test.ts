import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDiskGenerationStore } from '../../controller/artifact/disk-generation-store.ts';
import { GENERATORS } from '../../controller/generators/registry.ts';
import { createFixtureRepo } from './support/fixture-repo.ts';
import { controllerHarness } from './support/harness.ts';
import { localGitSource } from './support/local-git-source.ts';

let work: string;
let repo: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-controller-cache-'));
  repo = join(work, 'repo');
  await createFixtureRepo(repo);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(work, { recursive: true, force: true });
});

describe('the controller and the generation cache of its state directory', () => {
  it('generates an integration once for all environments, and a restarted controller takes it from the cache', async () => {
    const generate = vi.spyOn(GENERATORS.openapi!, 'generate');
    const cache = join(work, 'cache');
    const first = controllerHarness({ source: localGitSource(repo), stateDir: join(work, 'state-1'), generationStore: createDiskGenerationStore({ directory: cache, maxBytes: 1 << 30 }) });
    first.controller.enqueueAll('start');
    await first.controller.queue.idle();
    expect(first.controller.statuses().map((s) => s.published.length)).toEqual([1, 1]);
    // dev and test pin the same major versions: one generation for both.
    expect(generate).toHaveBeenCalledTimes(1);
    expect(await readdir(join(cache, 'generations-v1'))).toHaveLength(1);

    generate.mockClear();
    // New environments (another state directory), so everything is published again, from the cache.
    const second = controllerHarness({ source: localGitSource(repo), stateDir: join(work, 'state-2'), generationStore: createDiskGenerationStore({ directory: cache, maxBytes: 1 << 30 }) });
    second.controller.enqueueAll('start');
    await second.controller.queue.idle();
    expect(second.controller.statuses().map((s) => s.published.length)).toEqual([1, 1]);
    expect(generate).not.toHaveBeenCalled();
  });
});
