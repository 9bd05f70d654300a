import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The top of the Git work tree `dir` (an existing directory) is in, as a real path; none outside a work tree. */
export async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', dir, 'rev-parse', '--show-toplevel']);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The commit the work tree `dir` is in is at, with `-dirty` when anything under `dir` differs from
 * it (`git status`, untracked files included); undefined outside a work tree or before its first
 * commit. Two git commands, run as they are: a plan of a work tree needs no more of Git.
 */
export async function workTreeCommit(dir: string): Promise<string | undefined> {
  try {
    const head = (await run('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'])).stdout.trim();
    if (head === '') return undefined;
    const { stdout } = await run('git', ['-C', dir, 'status', '--porcelain', '--', '.'], { maxBuffer: 256 * 2 ** 20 });
    return stdout.trim() === '' ? head : `${head}-dirty`;
  } catch {
    return undefined;
  }
}
