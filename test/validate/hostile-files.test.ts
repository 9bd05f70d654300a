import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../controller/core/repository-reader.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { gitRepository } from '../../controller/source/git-repository.ts';
import { runCli } from '../helpers/cli.ts';

const run = promisify(execFile);
const BASE = join(import.meta.dirname, '..', 'fixtures', 'bad-input', '_base');
let work: string;
let repo: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-hostile-'));
  repo = join(work, 'repo');
  await cp(BASE, repo, { recursive: true });
});
afterEach(async () => rm(work, { recursive: true, force: true }));

/** The base repository's specification replaced by a named pipe that nobody ever writes to. */
async function specAsFifo(): Promise<string> {
  const spec = join(repo, 'specs', 'crm.yaml');
  await unlink(spec);
  await run('mkfifo', [spec]);
  return spec;
}

describe('a specification that is not a regular file', () => {
  it('is one located problem from intctl validate, which never opens the named pipe', async () => {
    await specAsFifo();
    const result = await runCli(['validate', '--repo', repo]);
    expect(result.stdout.split('\n')[0]).toBe(
      'integrations/crm.yaml:8:11: error: spec.source.path specs/crm.yaml is not a regular file (a named pipe, socket, device or submodule); only regular files are read (Integration crm)',
    );
    expect(result.code).toBe(1);
  });

  it('is refused by the reader itself, without waiting for a writer', async () => {
    await specAsFifo();
    const reader = fsRepository(repo);
    expect(await reader.checkPath('specs/crm.yaml')).toBe('special');
    await expect(reader.read('specs/crm.yaml')).rejects.toEqual(new UnreadableFileError('specs/crm.yaml', 'NotRegularFile', 'specs/crm.yaml is a named pipe, not a regular file; only regular files are read'));
  });
});

describe('a specification over the size limit', () => {
  it('is refused from a directory and from a commit before a byte of it is read', async () => {
    const limit = 100;
    const message = 'specs/crm.yaml is 174 bytes, over the limit of 100 bytes for a specification (--max-spec-size); it was not read';
    await expect(fsRepository(repo).read('specs/crm.yaml', { maxBytes: limit })).rejects.toThrow(message);

    await run('git', ['init', '-q', repo]);
    await run('git', ['-C', repo, 'add', '-A']);
    await run('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base']);
    const commit = await gitRepository(repo, 'HEAD');
    await expect(commit.read('specs/crm.yaml', { maxBytes: limit })).rejects.toThrow(message);
    const loaded = await loadAndValidate(commit, { maxFileBytes: 1024 * 1024, maxDepth: 64, maxAliases: 100, maxSpecBytes: limit });
    expect(loaded.errors.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`)).toEqual([`integrations/crm.yaml:8:11 ${message}`]);
  });
});

describe('a manifest saved as UTF-16', () => {
  it('stops plan with the encoding named: nothing it held is pruned', async () => {
    const envs = join(repo, 'environments.yaml');
    await writeFile(envs, (await readFile(envs, 'utf8')).replace('    plainSecrets: true', '    plainSecrets: true\n    prune: true'));
    const state = join(work, 'state');
    const applied = await runCli(['apply', '--repo', repo, '--env', 'dev', '--state-dir', state]);
    expect(applied.code).toBe(0);

    const manifest = join(repo, 'integrations', 'crm.yaml');
    await writeFile(manifest, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(await readFile(manifest, 'utf8'), 'utf16le')]));
    const planned = await runCli(['plan', '--repo', repo, '--env', 'dev', '--state-dir', state]);
    expect(`${planned.stdout}${planned.stderr}`).toContain('integrations/crm.yaml:1:1: error: file is encoded as UTF-16LE (with a byte order mark), not UTF-8');
    expect(`${planned.stdout}${planned.stderr}`).not.toMatch(/unpublish/i);
    expect(planned.code).toBe(1);

    const got = await runCli(['get', 'integrations', '--repo', repo, '--env', 'dev', '--state-dir', state, '-o', 'json']);
    expect(JSON.parse(got.stdout).map((r: { name: string }) => r.name)).toEqual(['crm']);
  });
});

describe('a prune of more than policy.maxPruneShare', () => {
  it('is refused by plan and apply until the policy is raised in Git', async () => {
    const envs = join(repo, 'environments.yaml');
    const policy = (extra: string) => readFile(envs, 'utf8').then((text) => writeFile(envs, text.replace(/ {4}plainSecrets: true\n( {4}prune: true\n)?( {4}maxPruneShare: 1\n)?/, `    plainSecrets: true\n    prune: true\n${extra}`)));
    await policy('');
    const state = join(work, 'state');
    const cli = (...args: string[]) => runCli([...args, '--repo', repo, '--env', 'dev', '--state-dir', state]);
    expect((await cli('apply')).code).toBe(0);

    await unlink(join(repo, 'integrations', 'crm.yaml'));
    const planned = await cli('plan');
    expect(planned.stdout).toContain('the plan would unpublish 1 of the 1 published integrations (100%), more than policy.maxPruneShare 0.5 (50%) allows');
    const applied = await cli('apply');
    expect(applied.code).toBe(1);
    expect(JSON.parse((await cli('get', 'integrations', '-o', 'json')).stdout).map((r: { name: string }) => r.name)).toEqual(['crm']);

    await policy('    maxPruneShare: 1\n');
    expect((await cli('apply')).code).toBe(0);
    expect(JSON.parse((await cli('get', 'integrations', '-o', 'json')).stdout)).toEqual([]);
  });
});
