/**
 * Git for tests: real repositories in temporary directories, a bare remote and a clone of it as a
 * team's repository and one author's work tree are. Every command runs without the user's or the
 * system's configuration, with a fixed identity, never prompting.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const AUTHOR = { name: 'Author', email: 'author@example.com' };

/** Runs git in `cwd` and returns what it printed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Writes files (text by path) into a directory, making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * Makes `dir` a repository on branch main whose own configuration names the author and signs
 * nothing, so that other Git clients (simple-git, the controller's) commit there as well.
 */
export function initRepo(dir: string): void {
  mkdirSync(dir, { recursive: true });
  cpSync(template('repo'), dir, { recursive: true });
}

/** Where the empty repositories are kept that every new one is copied from: four Git processes a repository fewer. */
const TEMPLATES = join(tmpdir(), `intctl-git-templates-${git(tmpdir(), '--version').trim().replace(/[^0-9.]/g, '')}-1`);

/**
 * An empty repository made once by the steps below, for this Git version, to copy: `repo`, as
 * initRepo makes it; `remote`, a bare remote and its clone (`remote.git`, `work`), as
 * createGitRemote makes them, the clone's origin still to be pointed at the copy of the remote.
 */
function template(kind: 'repo' | 'remote'): string {
  const made = join(TEMPLATES, kind);
  if (!existsSync(made)) {
    const making = mkdtempSync(join(tmpdir(), 'intctl-git-template-'));
    if (kind === 'repo') {
      git(making, 'init', '--quiet', '--initial-branch=main');
      configureAuthor(making);
    } else {
      git(making, 'init', '--quiet', '--bare', '--initial-branch=main', 'remote.git');
      git(making, 'clone', '--quiet', join(making, 'remote.git'), 'work');
      git(join(making, 'work'), 'checkout', '--quiet', '-B', 'main');
      configureAuthor(join(making, 'work'));
    }
    mkdirSync(TEMPLATES, { recursive: true });
    try {
      renameSync(making, made);
    } catch {
      // Another process made it first: theirs is the same.
      rmSync(making, { recursive: true, force: true });
    }
  }
  return made;
}

/** The empty remote and clone of the template, as createGitRemote copies them. */
function emptyRemote(): { remote: string; work: string } {
  const empty = template('remote');
  return { remote: join(empty, 'remote.git'), work: join(empty, 'work') };
}

function configureAuthor(dir: string): void {
  git(dir, 'config', 'user.name', AUTHOR.name);
  git(dir, 'config', 'user.email', AUTHOR.email);
  git(dir, 'config', 'commit.gpgsign', 'false');
}

/** Commits everything in the work tree (an empty commit when nothing changed); returns the commit. */
export function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

/** A bare remote (`remote.git`, default branch main) and a clone of it on main, in one directory. */
export interface GitRemote {
  root: string;
  /** The bare repository: the URL the controller is given. */
  remote: string;
  /** The clone to commit and push from. */
  work: string;
  write(path: string, text: string): void;
  writeFiles(files: Record<string, string>): void;
  remove(path: string): void;
  /** Commits everything and pushes main (`force` for rewritten history); returns the commit. */
  commit(message: string, options?: { force?: boolean }): string;
  /** Pushes a refspec of the clone to the remote. */
  push(refspec: string, options?: { force?: boolean }): void;
  /** Every blob reachable from a ref of the remote, as text. */
  blobsOf(ref: string): string[];
  cleanup(): void;
}

/**
 * Creates the remote and its clone in `root` (a new temporary directory named with `prefix`
 * when not given); the clone is at `root/<clone>`, `work` unless told. With `from`, both are
 * copies of that pair as it is now, history, work tree and all: a repository built and committed
 * once (in a `beforeAll`) for many tests, at the cost of one Git process each.
 */
export function createGitRemote(options: { root?: string; prefix?: string; clone?: string; from?: GitRemote } = {}): GitRemote {
  const root = options.root ?? mkdtempSync(join(tmpdir(), options.prefix ?? 'intctl-git-'));
  const remote = join(root, 'remote.git');
  const work = join(root, options.clone ?? 'work');
  const copied = options.from ?? emptyRemote();
  mkdirSync(root, { recursive: true });
  cpSync(copied.remote, remote, { recursive: true });
  cpSync(copied.work, work, { recursive: true });
  git(work, 'remote', 'set-url', 'origin', remote);
  const push = (refspec: string, pushOptions: { force?: boolean } = {}): void => void git(work, 'push', '--quiet', ...(pushOptions.force ? ['--force'] : []), 'origin', refspec);
  return {
    root,
    remote,
    work,
    write: (path, text) => writeFiles(work, { [path]: text }),
    writeFiles: (files) => writeFiles(work, files),
    remove: (path) => rmSync(join(work, path)),
    commit(message, commitOptions = {}) {
      const commit = commitAll(work, message);
      push('main', commitOptions);
      return commit;
    },
    push,
    blobsOf(ref) {
      const objects = git(remote, 'rev-list', '--objects', ref).trim().split('\n');
      const out: string[] = [];
      for (const line of objects) {
        const id = line.split(' ')[0]!;
        if (git(remote, 'cat-file', '-t', id).trim() === 'blob') out.push(git(remote, 'cat-file', 'blob', id));
      }
      return out;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
