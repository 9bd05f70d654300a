import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gitTopLevel } from './git-top-level.ts';
import { UsageError, type CliIo } from './io.ts';

/**
 * The absolute path of the repository a command reads: the directory given with `--repo` (or the
 * deprecated positional), else the top of the Git work tree the current directory is in, as Git
 * finds it from any directory inside, else the current directory.
 */
export async function repositoryRoot(io: CliIo, dir: string | undefined): Promise<string> {
  if (dir === undefined) return (await gitTopLevel(io.cwd)) ?? io.cwd;
  const root = resolve(io.cwd, dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--repo ${dir} is not a directory`);
  return root;
}
