import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createFixtureRepo } from '../runtime/support/fixture-repo.ts';

let work: string;
let repo: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-suspend-'));
  repo = join(work, 'repo');
  await createFixtureRepo(repo, {
    files: {
      'more/qa.yaml': 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata: { name: qa }\nspec: { driver: embedded, path: qa.sqlite }\n',
      'more/uat.yaml': 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: uat\nspec:\n  driver: embedded\n  path: uat.sqlite\n  suspend: false # until the pilot\n',
    },
  });
}, 60_000);
afterAll(async () => rm(work, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--repo', 'repo'], work);

/** Applies a patch to the work tree as a person would: `intctl suspend ... | git apply`. */
function gitApply(patch: string): void {
  execFileSync('git', ['apply', '--whitespace=error-all', '-'], { cwd: repo, input: patch });
}

describe('intctl suspend and resume', () => {
  it('print the patch that sets spec.suspend in the manifest; applied, the environment is suspended, and resuming restores the file', async () => {
    const original = await readFile(join(repo, 'environments.yaml'), 'utf8');
    const suspend = await cli('suspend', '--env', 'test');
    expect(suspend.code).toBe(0);
    expect(suspend.stdout).toMatch(/^--- a\/environments\.yaml\n\+\+\+ b\/environments\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(suspend.stdout.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['+  suspend: true']);
    expect(suspend.stderr).toMatch(/^To suspend test, commit this change to environments\.yaml:\d+ \(pipe it to git apply\)/);
    gitApply(suspend.stdout);

    expect((await cli('validate')).code).toBe(0);
    const plan = await cli('plan', '--env', 'test', '--state-dir', 'state');
    expect([plan.code, plan.stdout]).toEqual([0, 'environment test is suspended; nothing planned or applied.\n']);
    const status = JSON.parse((await cli('status', '--state-dir', 'state', '-o', 'json')).stdout);
    expect(status.environments.find((e: { name: string }) => e.name === 'test')).toMatchObject({ suspended: true, conditions: [expect.objectContaining({ type: 'Ready', status: 'Unknown', reason: 'Suspended' })] });

    expect(await cli('suspend', '--env', 'test')).toMatchObject({ code: 0, stdout: '', stderr: expect.stringMatching(/^environment test is suspended already \(environments\.yaml:\d+\); nothing to change\n$/) });

    const resume = await cli('resume', '--env', 'test');
    expect(resume.code).toBe(0);
    gitApply(resume.stdout);
    expect(await readFile(join(repo, 'environments.yaml'), 'utf8')).toBe(original);
    expect(await cli('resume', '--env', 'test')).toMatchObject({ code: 0, stdout: '' });
  });

  it('edits a spec written on one line, and a suspend: false in place, keeping its comment', async () => {
    const qa = await cli('suspend', '--env', 'qa');
    expect(qa.stdout).toContain('\n-spec: { driver: embedded, path: qa.sqlite }\n+spec: { suspend: true, driver: embedded, path: qa.sqlite }\n');
    gitApply(qa.stdout);
    const uat = await cli('suspend', '--env', 'uat');
    expect(uat.stdout).toContain('\n-  suspend: false # until the pilot\n+  suspend: true # until the pilot\n');
    gitApply(uat.stdout);
    const status = JSON.parse((await cli('status', '--state-dir', 'state', '-o', 'json')).stdout);
    expect(status.environments.filter((e: { suspended: boolean }) => e.suspended).map((e: { name: string }) => e.name).sort()).toEqual(['qa', 'uat']);
  });

  it('refuses an environment the repository does not define, with exit 64', async () => {
    const run = await cli('suspend', '--env', 'prod');
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('intctl: environment prod is not defined in the repository (defined: ');
  });
});
