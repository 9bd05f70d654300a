import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { odataGenerator } from '../../controller/generators/odata/odata-generator.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { GitFetchFailedError, type GitSource } from '../../controller/source/git-source.ts';
import { connection, ENVIRONMENT, git, makeRepo, salesIntegration, spec, type Repo } from './support.ts';

let built: Repo;
/** The first commit on main: the manifests below, in every test's repository. */
let initial: string;
let repo: Repo;
let source: GitSource;
const open = (overrides: Partial<Parameters<typeof createGitSource>[0]> = {}): GitSource =>
  createGitSource({ url: repo.remote, branch: 'main', dir: join(repo.root, 'mirror'), timeoutMs: 30_000, ...overrides });

// Built and committed once; each test gets a copy of the remote and its clone, and a mirror of its own.
beforeAll(() => {
  built = makeRepo();
  built.write('environments/dev.yaml', ENVIRONMENT);
  built.write('connections/sap.yaml', connection());
  built.write('specs/sales.edmx', spec('sales-v2.edmx'));
  for (const name of ['alpha', 'beta', 'gamma']) built.write(`integrations/${name}.yaml`, salesIntegration(name));
  built.write('docs/other.yaml', 'just: some other yaml\n');
  initial = built.commit('first');
});

afterAll(() => built.cleanup());

beforeEach(() => {
  repo = makeRepo('intctl-source-', built);
  source = open();
});

afterEach(async () => {
  await source.close();
  repo.cleanup();
});

const names = (loaded: Awaited<ReturnType<GitSource['load']>>): string[] => loaded.set.integrations.map((i) => i.manifest.metadata.name);

describe('createGitSource: fetch and load', () => {
  it('mirrors the branch into a bare repository and loads the manifests of the commit fetched', async () => {
    const head = initial;
    expect(await source.fetch()).toBe(head);
    expect(git(join(repo.root, 'mirror'), 'rev-parse', '--is-bare-repository').trim()).toBe('true');

    const loaded = await source.load(head);
    expect(loaded.commit).toBe(head);
    expect(loaded.errors).toEqual([]);
    expect(names(loaded)).toEqual(['alpha', 'beta', 'gamma']);
    expect(loaded.set.connections.map((c) => c.manifest.metadata.name)).toEqual(['sap']);
    expect(loaded.changedFiles).toEqual(['connections/sap.yaml', 'docs/other.yaml', 'environments/dev.yaml', 'integrations/alpha.yaml', 'integrations/beta.yaml', 'integrations/gamma.yaml', 'specs/sales.edmx']);
    // Six YAML files read (one of them not ours), three selections checked against one specification.
    expect(loaded.stats).toEqual({ files: 6, manifestFiles: 5, read: 6, parsed: 6, selectionsChecked: 3, gitReads: 7 });
    expect(new TextDecoder().decode(await loaded.reader.read('integrations/beta.yaml'))).toBe(salesIntegration('beta'));
  });

  it('reads the commit asked for, not the tip, and answers a second load of it from memory', async () => {
    const first = initial;
    repo.write('integrations/delta.yaml', salesIntegration('delta'));
    const second = repo.commit('second');
    expect(await source.fetch()).toBe(second);
    expect(names(await source.load(first))).toEqual(['alpha', 'beta', 'gamma']);
    const loaded = await source.load(second);
    expect(names(loaded)).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    expect(await source.load(second)).toBe(loaded);
  });

  it('re-reads exactly the one file a commit changed, and re-checks only its selection', async () => {
    await source.load(await source.fetch());
    repo.write('integrations/beta.yaml', salesIntegration('beta', ['Get', 'Search', 'Count']));
    repo.commit('beta counts');
    const next = await source.fetch();
    const loaded = await source.load(next);
    expect(loaded.changedFiles).toEqual(['integrations/beta.yaml']);
    expect(loaded.stats).toEqual({ files: 6, manifestFiles: 5, read: 1, parsed: 1, selectionsChecked: 1, gitReads: 1 });
    expect(loaded.set.integrations.find((i) => i.manifest.metadata.name === 'beta')!.manifest.spec.entities![0]!.operations).toEqual(['Get', 'Search', 'Count']);
    expect(names(loaded)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('re-checks the selections of every integration of a specification that changed, without reading a manifest again', async () => {
    await source.load(await source.fetch());
    // The entity set every integration selects is renamed.
    repo.write('specs/sales.edmx', spec('sales-v2.edmx').replace(/"A_SalesOrder"/g, '"A_SalesOrderRenamed"'));
    repo.commit('rename');
    const loaded = await source.load(await source.fetch());
    expect(loaded.changedFiles).toEqual(['specs/sales.edmx']);
    expect(loaded.stats.read).toBe(0);
    expect(loaded.stats.selectionsChecked).toBe(3);
    expect(loaded.errors.map((p) => [p.file, p.reason])).toEqual([
      ['integrations/alpha.yaml', 'UnknownEntity'],
      ['integrations/beta.yaml', 'UnknownEntity'],
      ['integrations/gamma.yaml', 'UnknownEntity'],
    ]);
  });

  it('parses a specification once across loads, through a broken commit, and again only when its bytes change', async () => {
    const parse = vi.spyOn(odataGenerator, 'parse');
    try {
      await source.load(await source.fetch());
      repo.write('integrations/beta.yaml', salesIntegration('beta', ['Get', 'Search', 'Count']));
      repo.commit('beta counts');
      expect((await source.load(await source.fetch())).stats.selectionsChecked).toBe(1);
      repo.write('integrations/gamma.yaml', 'apiVersion: intctl.dev/v1alpha1\nkind: Integration\nmetadata: { name: gamma }\nspec: {}\n');
      repo.commit('broken');
      expect((await source.load(await source.fetch())).errors).not.toEqual([]);
      repo.write('integrations/gamma.yaml', salesIntegration('gamma', ['Get']));
      repo.commit('fixed');
      expect((await source.load(await source.fetch())).errors).toEqual([]);
      expect(parse).toHaveBeenCalledTimes(1);
      repo.write('specs/sales.edmx', `${spec('sales-v2.edmx')}\n`);
      repo.commit('one byte more');
      expect((await source.load(await source.fetch())).stats.selectionsChecked).toBe(3);
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });

  it('keeps the problems of a file cached under its own path: two files with the same bytes are two files', async () => {
    const broken = salesIntegration('twin').replace('system: odata', 'system: odata\n  bogusField: 1');
    repo.write('integrations/twin-a.yaml', broken);
    repo.commit('twin a');
    await source.load(await source.fetch());
    repo.write('integrations/twin-b.yaml', broken);
    repo.commit('twin');
    const loaded = await source.load(await source.fetch());
    // Same blob, another path: read again, since its problems must name its own path.
    expect(loaded.stats.read).toBe(1);
    const files = loaded.errors.filter((p) => p.field === 'spec.bogusField').map((p) => p.file);
    expect(files).toEqual(['integrations/twin-a.yaml', 'integrations/twin-b.yaml']);
  });

  it('follows a force-push that rewrites history', async () => {
    const base = initial;
    repo.write('integrations/delta.yaml', salesIntegration('delta'));
    const abandoned = repo.commit('delta, soon rewritten');
    expect(await source.fetch()).toBe(abandoned);
    expect(names(await source.load(abandoned))).toContain('delta');

    git(repo.work, 'reset', '--quiet', '--hard', base);
    repo.write('integrations/epsilon.yaml', salesIntegration('epsilon'));
    const rewritten = repo.commit('epsilon instead', { force: true });
    expect(() => git(repo.work, 'merge-base', '--is-ancestor', abandoned, rewritten)).toThrow();

    expect(await source.fetch()).toBe(rewritten);
    const loaded = await source.load(rewritten);
    expect(names(loaded)).toEqual(['alpha', 'beta', 'epsilon', 'gamma']);
    expect(loaded.changedFiles).toEqual(['integrations/delta.yaml', 'integrations/epsilon.yaml']);
    expect(loaded.stats.read).toBe(1);
  });

  it('answers the commit a fetch brought from the ref it wrote, and from git when the refs were packed since', async () => {
    const first = initial;
    expect(await source.fetch()).toBe(first);
    const mirror = join(repo.root, 'mirror');
    git(mirror, 'pack-refs', '--all');
    expect(existsSync(join(mirror, 'refs', 'heads', 'main'))).toBe(false);
    // Nothing new to fetch: no ref file is written, and the packed ref answers.
    expect(await source.fetch()).toBe(first);
    repo.write('integrations/delta.yaml', salesIntegration('delta'));
    const second = repo.commit('second');
    expect(await source.fetch()).toBe(second);
    expect(readFileSync(join(mirror, 'refs', 'heads', 'main'), 'utf8').trim()).toBe(second);
  });
});

describe('createGitSource: failures', () => {
  it('fails with GitFetchFailedError when the remote goes away, and still loads the last commit fetched', async () => {
    const head = initial;
    expect(await source.fetch()).toBe(head);
    renameSync(repo.remote, `${repo.remote}.gone`);
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitFetchFailedError);
    expect((error as GitFetchFailedError).reason).toBe('GitFetchFailed');
    expect((error as Error).message).toMatch(/^cannot fetch branch main of .*remote\.git: .*does not appear to be a git repository/);
    expect(names(await source.load(head))).toEqual(['alpha', 'beta', 'gamma']);

    renameSync(`${repo.remote}.gone`, repo.remote);
    repo.write('integrations/delta.yaml', salesIntegration('delta'));
    const next = repo.commit('second');
    expect(await source.fetch()).toBe(next);
  });

  it.each([
    ['a directory that is not a repository', (r: Repo) => r.work + '/integrations', /does not appear to be a git repository|not a git repository/i],
    ['a file of random bytes', (r: Repo) => { writeFileSync(join(r.root, 'garbage.git'), randomBytes(4096)); return `file://${join(r.root, 'garbage.git')}`; }, /invalid gitfile format|not a git repository/i],
    ['a path that does not exist', (r: Repo) => join(r.root, 'nowhere.git'), /does not appear to be a git repository/],
  ])('fails with GitFetchFailedError on %s', async (_what, url, message) => {
    source = open({ url: url(repo) });
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitFetchFailedError);
    expect((error as Error).message).toMatch(message);
  });

  it('fails with GitFetchFailedError on an http server that answers with random bytes', async () => {
    const noise = createHttpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/x-git-upload-pack-advertisement' }).end(randomBytes(2048)));
    await new Promise<void>((resolve) => noise.listen(0, '127.0.0.1', resolve));
    try {
      source = open({ url: `http://127.0.0.1:${(noise.address() as AddressInfo).port}/repo.git` });
      const error = await source.fetch().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitFetchFailedError);
      expect((error as Error).message).toMatch(/^cannot fetch branch main of http:\/\/127\.0\.0\.1:\d+\/repo\.git: .*(not valid|protocol error|bad|invalid)/i);
    } finally {
      await new Promise((resolve) => noise.close(resolve));
    }
  });

  it('fails with GitFetchFailedError on a branch the remote does not have', async () => {
    source = open({ branch: 'release' });
    await expect(source.fetch()).rejects.toThrow(GitFetchFailedError);
    await expect(source.fetch()).rejects.toThrow(/couldn't find remote ref refs\/heads\/release/);
  });

  it('refuses a mirror directory that holds something else, and a branch name git would misread', async () => {
    const taken = open({ dir: repo.work });
    await expect(taken.fetch()).rejects.toThrow(/is not empty and not a bare Git repository/);
    const option = open({ branch: '--upload-pack=touch x' });
    await expect(option.fetch()).rejects.toThrow(/is not a valid branch name/);
  });

  it('gives up after its timeout on a remote that never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      source = open({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/repo.git`, timeoutMs: 1_000 });
      const error = await source.fetch().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitFetchFailedError);
      expect((error as Error).message).toMatch(/timed out after 1000 ms/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
