import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../controller/demo/run-demo.ts';
import { runCli } from '../helpers/cli.ts';

/*
 * Where the command line keeps embedded environments: never where `git add -A` would publish
 * their private keys. Every case keeps the user's state under its own XDG_STATE_HOME.
 */

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
let work: string;
let xdg: string;
/** The examples committed once for the whole file; each test copies it (see exampleRepo). */
let template: string;

beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), 'intctl-state-dir-template-'));
  const repo = join(template, 'repo');
  await cp(EXAMPLES, repo, { recursive: true });
  const git = simpleGit({ baseDir: repo });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'intctl test').addConfig('user.email', 'test@intctl.invalid').addConfig('commit.gpgsign', 'false');
  await git.add('.');
  await git.commit('examples');
});
afterAll(async () => {
  await rm(template, { recursive: true, force: true });
});

beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'intctl-state-dir-')));
  xdg = join(work, 'xdg-state');
  vi.stubEnv('XDG_STATE_HOME', xdg);
  vi.stubEnv('INTCTL_STATE_DIR', undefined);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(work, { recursive: true, force: true });
});

/**
 * A Git repository of the examples, committed, as a new user would have it: a copy, work tree and
 * .git, of the one the file commits once. Nothing in the repository names where it is, so each
 * copy is a repository of its own at its own path.
 */
async function exampleRepo(path: string): Promise<string> {
  await cp(join(template, 'repo'), path, { recursive: true });
  return path;
}

/** What `git add -A` would add or change: nothing, when the state is kept where it belongs. */
const porcelain = async (repo: string): Promise<string> => simpleGit({ baseDir: repo }).raw(['status', '--porcelain', '--untracked-files=all']);

/** Every file under a directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** Where `intctl env init` says the environment's store is. */
const created = (stdout: string): string | undefined => /^environment \w+: (?:created|already exists at) ([^;\s]+)/.exec(stdout)?.[1];

describe('the default state directory', () => {
  it('is outside the work tree: plan and apply in a fresh repository leave git status clean', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    const planned = await runCli(['plan', '--env', 'dev'], repo);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const applied = await runCli(['apply', '--env', 'dev'], repo);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(await porcelain(repo)).toBe('');

    const [dir] = await readdir(join(xdg, 'intctl'));
    expect(dir).toMatch(/^repo-[0-9a-f]{12}$/);
    const state = join(xdg, 'intctl', dir!);
    expect((await filesUnder(state)).filter((f) => !f.endsWith('-wal') && !f.endsWith('-shm'))).toEqual(['dev.sqlite']);
    // The key is readable by its owner only, in a directory only its owner can list.
    expect((await stat(join(state, 'dev.sqlite'))).mode & 0o777).toBe(0o600);
    expect((await stat(state)).mode & 0o777).toBe(0o700);
  });

  it('is ~/.local/state/intctl when XDG_STATE_HOME is not set', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    vi.stubEnv('XDG_STATE_HOME', undefined);
    vi.stubEnv('HOME', join(work, 'home'));
    const run = await runCli(['env', 'init', 'dev'], repo);
    expect(run.code).toBe(0);
    expect(created(run.stdout)).toMatch(new RegExp(`^${join(work, 'home', '.local', 'state', 'intctl')}/repo-[0-9a-f]{12}/dev\\.sqlite$`));
  });

  it('is the same from the repository root and from a directory inside it', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    const fromRoot = await runCli(['env', 'init', 'dev'], repo);
    const fromInside = await runCli(['env', 'init', 'dev'], join(repo, 'integrations'));
    expect([fromRoot.code, fromInside.code]).toEqual([0, 0]);
    expect(fromRoot.stdout).toContain('created');
    expect(fromInside.stdout).toContain('its keys are kept');
    expect(created(fromInside.stdout)).toBe(created(fromRoot.stdout));
    // And the command reads the whole repository from there.
    expect((await runCli(['apply', '--env', 'dev'], join(repo, 'specs'))).code).toBe(0);
    const head = (await simpleGit({ baseDir: repo }).revparse(['HEAD'])).trim();
    expect((await runCli(['plan', '--env', 'dev'], repo)).stdout).toBe(`Plan for environment dev at ${head.slice(0, 7)}: nothing to do.\n`);
  });

  it('is the same for --repo given from elsewhere, and for a repository that is not a Git work tree', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    const plain = join(work, 'plain');
    await cp(EXAMPLES, plain, { recursive: true });
    const inside = created((await runCli(['env', 'init', 'dev'], repo)).stdout);
    expect(created((await runCli(['env', 'init', 'dev', '--repo', join('..', 'repo')], plain)).stdout)).toBe(inside);
    const plainFromInside = created((await runCli(['env', 'init', 'dev'], plain)).stdout);
    expect(created((await runCli(['env', 'init', 'dev', '--repo', 'plain'], work)).stdout)).toBe(plainFromInside);
    expect(plainFromInside).not.toBe(inside);
  });

  it('is never shared by two repositories, even of the same name with environments of the same name', async () => {
    const one = await exampleRepo(join(work, 'a', 'repo'));
    const two = await exampleRepo(join(work, 'b', 'repo'));
    const first = await runCli(['env', 'init', 'dev'], one);
    const second = await runCli(['env', 'init', 'dev'], two);
    expect([first.stdout, second.stdout].map((out) => out.split('\n')[0])).toEqual([expect.stringContaining('created'), expect.stringContaining('created')]);
    // Each in its own directory of the user's state, however alike their names.
    for (const run of [first, second]) expect(created(run.stdout)).toMatch(new RegExp(`^${xdg}/intctl/repo-[0-9a-f]{12}/dev\\.sqlite$`));
    expect(created(first.stdout)).not.toBe(created(second.stdout));
    expect(/public key: (\S+)/.exec(first.stdout)?.[1]).not.toBe(/public key: (\S+)/.exec(second.stdout)?.[1]);
  });

  it('is refused when it would be inside a work tree Git does not ignore (XDG_STATE_HOME in a repository)', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    vi.stubEnv('XDG_STATE_HOME', join(repo, 'state'));
    const run = await runCli(['env', 'init', 'dev'], repo);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(new RegExp(`^intctl: the state directory ${join(repo, 'state', 'intctl')}/repo-[0-9a-f]{12} \\(the default for the repository ${repo}\\) is inside the Git work tree ${repo}, and Git does not ignore it`));
    expect(await filesUnder(join(repo, 'state'))).toEqual([]);
  });
});

describe('a state directory given inside a Git work tree', () => {
  const refusal = (command: string, named: string, repo: string, entry: string) =>
    `intctl: ${named} is inside the Git work tree ${repo}, and Git does not ignore it: environment dev's private key would be committed with the manifests; ` +
    `add ${entry} to ${join(repo, '.gitignore')}, or choose a state directory outside the work tree (--state-dir or $INTCTL_STATE_DIR)\n(run intctl ${command} --help for usage)\n`;

  it.each([
    ['env init', ['env', 'init', 'dev']],
    ['plan', ['plan', '--env', 'dev']],
    ['apply', ['apply', '--env', 'dev']],
    ['get', ['get', 'integrations', '--env', 'dev']],
    ['seal', ['seal', '--env', 'dev', '--from-file', 'README.md']],
    ['invoke', ['invoke', 'crm', 'GetCustomer', '--env', 'dev']],
  ])('is refused by intctl %s with exit 64, before anything is created; accepted once Git ignores it', async (command, args) => {
    const repo = await exampleRepo(join(work, 'repo'));
    const run = await runCli([...args, '--state-dir', '.intctl'], repo);
    expect(run).toEqual({ code: 64, stdout: '', stderr: refusal(command, `--state-dir .intctl (${join(repo, '.intctl')})`, repo, '/.intctl/') });
    expect(await filesUnder(join(repo, '.intctl'))).toEqual([]);
    expect(await porcelain(repo)).toBe('');

    await writeFile(join(repo, '.gitignore'), '/.intctl/\n');
    await simpleGit({ baseDir: repo }).add('.gitignore').commit('ignore the state');
    expect((await runCli(['env', 'init', 'dev', '--state-dir', '.intctl'], repo)).code).toBe(0);
    const accepted = await runCli([...args, '--state-dir', '.intctl'], repo);
    expect(accepted.stderr).not.toContain('Git work tree');
    expect(accepted.code).not.toBe(64);
    expect(await porcelain(repo)).toBe('');
    expect(await filesUnder(join(repo, '.intctl'))).toContain('dev.sqlite');
  });

  it('is refused from $INTCTL_STATE_DIR too, and from a directory inside the repository', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    vi.stubEnv('INTCTL_STATE_DIR', join(repo, 'specs', 'state'));
    const run = await runCli(['plan', '--env', 'dev'], join(repo, 'integrations'));
    expect(run).toEqual({ code: 64, stdout: '', stderr: refusal('plan', `the state directory ${join(repo, 'specs', 'state')} ($INTCTL_STATE_DIR)`, repo, '/specs/state/') });
    expect(await porcelain(repo)).toBe('');
  });

  it('is refused when Git ignores the database but not its write-ahead log', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    await writeFile(join(repo, '.gitignore'), '*.sqlite\n');
    const run = await runCli(['env', 'init', 'dev', '--state-dir', 'state'], repo);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('add /state/ to');
  });

  it('is accepted outside every work tree, beside the repository', async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    const run = await runCli(['apply', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'], work);
    expect(run.code).toBe(0);
    expect(await porcelain(repo)).toBe('');
    expect((await stat(join(work, 'state', 'dev.sqlite'))).mode & 0o777).toBe(0o600);
  });

  it("refuses an environment's spec.path outside the state directory, before creating anything", async () => {
    const repo = await exampleRepo(join(work, 'repo'));
    const store = join(repo, 'dev.sqlite');
    const manifest = join(repo, 'environments', 'environments.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('path: dev.sqlite', `path: ${store}`));
    const run = await runCli(['env', 'init', 'dev'], repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`intctl: environment dev: spec.path ${JSON.stringify(store)} leaves the state directory; give a relative path inside it\n`);
    expect(await filesUnder(repo).then((files) => files.filter((f) => f.startsWith('dev.sqlite')))).toEqual([]);
  });

  it('leaves http environments alone: they keep nothing there', async () => {
    await mkdir(join(work, 'repo'));
    await writeFile(
      join(work, 'repo', 'environments.yaml'),
      'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata: { name: prod }\nspec: { driver: http, url: "https://envs.example.com" }\n',
    );
    await simpleGit({ baseDir: join(work, 'repo') }).init();
    const run = await runCli(['env', 'init', 'prod', '--state-dir', 'state'], join(work, 'repo'));
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'intctl: environment prod: spec.token is required for driver http\n' });
  });
});

describe("the demo's lines to try next", () => {
  it('work when copied, from anywhere', async () => {
    let printed = '';
    await runDemo({ examples: EXAMPLES, config: { holder: 'demo', leaseTtlMs: 30_000 }, write: (t) => (printed += t), workDir: join(work, 'demo') });
    const lines = [...printed.matchAll(/^ {2}npx intctl (get|plan) (.+)$/gm)].map((m) => [m[1]!, ...m[2]!.split(' ')]);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const elsewhere = await exampleRepo(join(work, 'elsewhere'));
    for (const args of lines) {
      const run = await runCli(args, elsewhere);
      expect(run.stderr).toBe('');
      expect([0, 2]).toContain(run.code);
    }
  });
});
