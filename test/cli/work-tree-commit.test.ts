import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workTreeCommit } from '../../controller/cli/git-top-level.ts';
import { commitAll, initRepo } from '../support/git-repo.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * What a plan of a work tree says it planned: the commit the work tree is at, `-dirty` when
 * anything under the repository directory differs from it, and "working-tree" where there is no
 * commit to name. Against a real Git repository.
 */
describe('the commit a plan of a work tree names', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'intctl-work-tree-commit-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('is HEAD when the work tree is clean, HEAD-dirty when a file changed or a new one is there, and none outside a repository or before a first commit', async () => {
    const repo = join(work, 'repo');
    initRepo(repo);
    writeFileSync(join(repo, 'a.yaml'), 'a: 1\n');
    expect(await workTreeCommit(repo)).toBeUndefined();
    const head = commitAll(repo, 'first');
    expect(await workTreeCommit(repo)).toBe(head);
    writeFileSync(join(repo, 'a.yaml'), 'a: 2\n');
    expect(await workTreeCommit(repo)).toBe(`${head}-dirty`);
    writeFileSync(join(repo, 'a.yaml'), 'a: 1\n');
    expect(await workTreeCommit(repo)).toBe(head);
    writeFileSync(join(repo, 'b.yaml'), 'b: 1\n');
    expect(await workTreeCommit(repo)).toBe(`${head}-dirty`);

    const outside = join(work, 'outside');
    mkdirSync(outside);
    expect(await workTreeCommit(outside)).toBeUndefined();
  });

  it('counts only what is under the repository directory given, when it is a subdirectory of the work tree', async () => {
    const repo = join(work, 'repo');
    initRepo(repo);
    mkdirSync(join(repo, 'manifests'));
    writeFileSync(join(repo, 'manifests', 'a.yaml'), 'a: 1\n');
    const head = commitAll(repo, 'first');
    writeFileSync(join(repo, 'elsewhere.txt'), 'not a manifest\n');
    expect(await workTreeCommit(join(repo, 'manifests'))).toBe(head);
    writeFileSync(join(repo, 'manifests', 'a.yaml'), 'a: 2\n');
    expect(await workTreeCommit(join(repo, 'manifests'))).toBe(`${head}-dirty`);
  });

  it('names the commit in the plan of a repository that is a work tree', async () => {
    const repo = join(work, 'repo');
    initRepo(repo);
    writeFileSync(join(repo, 'environment.yaml'), 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: dev\nspec:\n  driver: embedded\n');
    const head = commitAll(repo, 'first');
    const planned = await runCli(['plan', '--env', 'dev', '--repo', repo, '--state-dir', join(work, 'state'), '--no-cache']);
    expect(planned.stdout).toContain(`Plan for environment dev at ${head.slice(0, 7)}:`);
  });
});
