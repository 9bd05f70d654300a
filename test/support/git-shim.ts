import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A `git` first on the PATH that logs the command of every call intctl makes, then runs the real git. */
export interface GitShim {
  /** The environment to give the code under test: the process's, with the shim first on the PATH. */
  env: Record<string, string>;
  /** The first argument of every git call so far (`fetch`, `push`, `fast-import`...). */
  commands(): string[];
  /** Forgets the calls so far. */
  reset(): void;
}

export function createGitShim(dir: string): GitShim {
  const shim = join(dir, 'git-shim');
  const log = join(dir, 'git-commands.log');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'git'), `#!/bin/sh\necho "$1" >> "${log}"\nexec "${realGit}" "$@"\n`);
  chmodSync(join(shim, 'git'), 0o755);
  return {
    env: { ...process.env, PATH: `${shim}:${process.env.PATH ?? ''}` } as Record<string, string>,
    commands: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []),
    reset: () => rmSync(log, { force: true }),
  };
}
