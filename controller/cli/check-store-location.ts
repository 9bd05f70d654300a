import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { embeddedStorePath } from '../environments/open-driver.ts';
import type { Environment } from '../generated/manifests.ts';
import { gitTopLevel } from './git-top-level.ts';
import { UsageError } from './io.ts';


/** Where the command keeps embedded environments, and how messages name it. */
export interface StateLocation {
  stateDir: string;
  /** `--state-dir state (/abs/state)`, `the state directory /abs ($INTCTL_STATE_DIR)`, ... */
  named: string;
}

/**
 * Refuses (a UsageError, before anything is created or opened) an embedded environment's store
 * that `git add -A` would commit: one inside a Git work tree that Git does not ignore. The store
 * holds the environment's private key, which opens every secret sealed to it. Each file SQLite
 * writes (the database, its WAL, shared memory and journal) must be ignored, so a `*.sqlite`
 * pattern that lets the WAL through is refused too. Outside every work tree, nothing is asked.
 */
export async function checkStoreLocation(environment: Environment, location: StateLocation): Promise<void> {
  if (environment.spec.driver !== 'embedded') return;
  const store = embeddedStorePath(environment, location.stateDir);
  const found = await workTreeOf(dirname(store));
  if (found === undefined) return;
  const realStore = join(found.real, relative(found.existing, store));
  const files = ['', '-wal', '-shm', '-journal'].map((suffix) => relative(found.top, realStore + suffix));
  const ignored = await ignoredOf(found.top, files);
  if (files.every((file) => ignored.has(file))) return;

  const name = environment.metadata.name;
  const gitignore = join(found.top, '.gitignore');
  // The store is inside the state directory (embeddedStorePath refuses any other path): ignore that.
  const realStateDir = join(found.real, relative(found.existing, location.stateDir));
  throw new UsageError(
    `${location.named} is inside the Git work tree ${found.top}, and Git does not ignore it: environment ${name}'s private key would be committed with the manifests; ` +
      `add /${posix(relative(found.top, realStateDir))}/ to ${gitignore}, or choose a state directory outside the work tree (--state-dir or $INTCTL_STATE_DIR)`,
  );
}

/**
 * The Git work tree a path would be created in, found from its nearest existing ancestor (with
 * that ancestor and its real path, since Git names the work tree by its real path); none outside
 * a work tree (a bare repository, a .git directory, no Git at all).
 */
async function workTreeOf(path: string): Promise<{ top: string; existing: string; real: string } | undefined> {
  let existing = path;
  while (!(await stat(existing).catch(() => undefined))?.isDirectory()) {
    if (dirname(existing) === existing) return undefined;
    existing = dirname(existing);
  }
  const real = await realpath(existing);
  const top = await gitTopLevel(real);
  return top === undefined ? undefined : { top, existing, real };
}

/**
 * Which of these paths (relative to the work tree) Git ignores; a tracked file never is. Exit 1
 * means none is; when Git cannot tell, none counts as ignored.
 */
function ignoredOf(top: string, files: string[]): Promise<Set<string>> {
  return new Promise((resolve) => {
    const child = execFile('git', ['-C', top, 'check-ignore', '--stdin', '-z'], (error, stdout) => {
      resolve(error ? new Set() : new Set(stdout.split('\0').filter((file) => file !== '')));
    });
    child.stdin?.end(files.map((file) => `${file}\0`).join(''));
  });
}

function posix(path: string): string {
  return path.split(sep).join('/');
}
