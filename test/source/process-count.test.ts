/**
 * The processes the controller's Git source spawns for a one-file commit do not grow with the
 * repository: a git on the PATH logs every command intctl runs, and a commit changing one of 100
 * integrations costs the same commands as one changing one of 2,000. (Status commits have their
 * own count: two processes per change, test/source/status-writer.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { createGitShim } from '../support/git-shim.ts';
import { deadline } from '../support/time.ts';
import { connection, ENVIRONMENT, makeRepo, salesIntegration, spec } from './support.ts';

/**
 * Commits `files` (text by path) on main of the bare repository `remote`, on top of its tip when
 * `onTip`, with one `git fast-import`: thousands of files make a commit without a work tree, an
 * index, loose objects or a push, none of which is what this test counts.
 */
function commitInto(remote: string, files: Record<string, string>, message: string, onTip: boolean): void {
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = ['commit refs/heads/main\n', 'committer Author <author@example.com> now\n', data(message), onTip ? 'from refs/heads/main^0\n' : ''];
  for (const [path, text] of Object.entries(files)) stream.push(`M 100644 inline ${path}\n`, data(text));
  execFileSync('git', ['fast-import', '--quiet', '--date-format=now'], {
    cwd: remote,
    input: stream.join(''),
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

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
    const files: Record<string, string> = { 'environments/dev.yaml': ENVIRONMENT, 'connections/sap.yaml': connection(), 'specs/sales.edmx': spec('sales-v2.edmx') };
    for (let i = 0; i < size; i++) files[`integrations/team-${i % 50}/sales-${i}.yaml`] = salesIntegration(`sales-${i}`);
    commitInto(repo.remote, files, `${size} integrations`, false);
    const cold = await source.load(await source.fetch());
    expect(cold.problems.filter((p) => p.severity !== 'warning')).toEqual([]);

    shim.reset();
    commitInto(repo.remote, { 'integrations/team-7/sales-7.yaml': salesIntegration('sales-7', ['Get', 'Search', 'Count']) }, 'one file', true);
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
