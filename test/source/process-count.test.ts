/**
 * The processes the controller's Git source spawns for a one-file commit do not grow with the
 * repository: a git on the PATH logs every command intctl runs, and a commit changing one of 100
 * integrations costs the same commands as one changing one of 2,000. (Status commits have their
 * own count: two processes per change, test/source/status-writer.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { createGitShim } from '../support/git-shim.ts';
import { deadline } from '../support/time.ts';
import { commitToRemote, connection, ENVIRONMENT, makeRepo, salesIntegration, spec } from './support.ts';

/** The git commands (their first argument) the source ran for a one-file commit in a repository of `size` integrations. */
async function commandsForOneFileCommit(size: number): Promise<string[]> {
  const repo = makeRepo('intctl-process-count-');
  const shim = createGitShim(repo.root);
  const source = createGitSource({
    url: repo.remote,
    branch: 'main',
    dir: join(repo.root, 'mirror'),
    env: shim.env,
  });
  try {
    // Written straight into the remote, one process a commit: the repository's size is what varies, not how it was made.
    const files = new Map([['environments/dev.yaml', ENVIRONMENT], ['connections/sap.yaml', connection()], ['specs/sales.edmx', spec('sales-v2.edmx')]]);
    for (let i = 0; i < size; i++) files.set(`integrations/team-${i % 50}/sales-${i}.yaml`, salesIntegration(`sales-${i}`));
    commitToRemote(repo.remote, files, `${size} integrations`, { root: true });
    const cold = await source.load(await source.fetch());
    expect(cold.problems.filter((p) => p.severity !== 'warning')).toEqual([]);

    shim.reset();
    commitToRemote(repo.remote, new Map([['integrations/team-7/sales-7.yaml', salesIntegration('sales-7', ['Get', 'Search', 'Count'])]]), 'one file');
    const warm = await source.load(await source.fetch());
    expect(warm.set.integrations.length).toBe(size);
    return shim.commands();
  } finally {
    await source.close();
    repo.cleanup();
  }
}

describe('the processes of a one-file commit', () => {
  it('are the same commands for a repository of 100 integrations as for one of 2,000', async () => {
    const small = await commandsForOneFileCommit(100);
    const large = await commandsForOneFileCommit(2_000);
    expect(large).toEqual(small);
    // The fetch, then the commit it wrote read from its ref file; the commit checked and listed. The
    // blobs come through one long-lived `git cat-file --batch`, started at the cold load.
    expect(small).toEqual(['fetch', 'rev-parse', 'ls-tree']);
  }, deadline(240_000));
});
