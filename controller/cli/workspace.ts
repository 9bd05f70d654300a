import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { fsRepository } from '../source/fs-repository.ts';
import { gitRepository } from '../source/git-repository.ts';
import { readConfig, type Config } from '../config/read-config.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';
import { UsageError, type CliIo } from './io.ts';

export interface Workspace {
  reader: RepositoryReader;
  /** The commit read, or what stands for it when reading a work tree. */
  commit: string;
  config: Config;
}

export interface WorkspaceOptions {
  ref?: string;
  stateDir?: string;
}

/**
 * What a command reads and where it keeps state. With `--ref`, the manifests of that commit;
 * otherwise the directory as it is, labelled with its HEAD commit (suffixed `-dirty` when it has
 * uncommitted changes), as `terraform plan` reads the work tree.
 */
export async function openWorkspace(io: CliIo, dir: string, options: WorkspaceOptions): Promise<Workspace> {
  const root = resolve(io.cwd, dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const base = readConfig(undefined, io.cwd);
  const config = options.stateDir === undefined ? base : { ...base, stateDir: resolve(io.cwd, options.stateDir) };
  if (options.ref !== undefined) {
    const reader = await gitRepository(root, options.ref).catch((error: Error) => {
      throw new UsageError(`cannot read ${options.ref} in ${dir}: ${error.message.split('\n')[0]}`);
    });
    const commit = (await simpleGit({ baseDir: root }).revparse([`${options.ref}^{commit}`])).trim();
    return { reader, commit, config };
  }
  return { reader: fsRepository(root), commit: await describeWorkTree(root), config };
}

async function describeWorkTree(root: string): Promise<string> {
  try {
    const git = simpleGit({ baseDir: root });
    if (!(await git.checkIsRepo())) return 'working-tree';
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.status(['--porcelain', '--', '.']);
    return status.isClean() ? head : `${head}-dirty`;
  } catch {
    return 'working-tree';
  }
}
