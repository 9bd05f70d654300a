import { realpath, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fsRepository } from '../source/fs-repository.ts';
import type { GitCommitReader } from '../source/git-repository.ts';
import { readConfig, type CommandConfig } from '../config/read-config.ts';
import { findEnvironment } from '../load/find-environment.ts';
import type { RepositoryReader } from '../core/repository-reader.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import { openDriver, type OpenDriverOptions } from '../environments/open-driver.ts';
import type { Environment } from '../generated/manifests.ts';
import { checkStoreLocation, type StateLocation } from './check-store-location.ts';
import { repositoryRoot } from './repository-root.ts';
import { workTreeCommit } from './git-top-level.ts';

export { repositoryRoot };
import { UsageError, type CliIo } from './io.ts';
import type { Artifact, ArtifactCache } from '../artifact/build-artifact.ts';
import { createDiskGenerationStore } from '../artifact/disk-generation-store.ts';
import { createGenerationCache } from '../artifact/generation-cache.ts';

/** The configuration of a command, with where its state directory comes from. */
export type WorkspaceConfig = CommandConfig & StateLocation;

export interface Workspace {
  reader: RepositoryReader;
  /** The commit read, or what stands for it when reading a work tree. */
  commit: string;
  config: WorkspaceConfig;
}

export interface WorkspaceOptions {
  /** The repository directory, as given; repositoryRoot finds it when left out. */
  repo?: string;
  ref?: string;
  stateDir?: string;
}

/**
 * What a command reads and where it keeps state. With `--ref`, the manifests of that commit;
 * otherwise the directory as it is, labelled with its HEAD commit (suffixed `-dirty` when it has
 * uncommitted changes), as `terraform plan` reads the work tree. Every mistake in the three is a
 * UsageError in intctl's words, before anything is read or created.
 */
export async function openWorkspace(io: CliIo, options: WorkspaceOptions): Promise<Workspace> {
  const root = await repositoryRoot(io, options.repo);
  const config = await workspaceConfig(io, root, options.stateDir);
  if (options.ref !== undefined) {
    const reader = await readCommit(root, options.ref, '--ref');
    return { reader, commit: reader.commit, config };
  }
  return { reader: fsRepository(root), commit: (await workTreeCommit(root)) ?? 'working-tree', config };
}

/**
 * The configuration of a command reading the repository at `root`, with the state directory from
 * `--state-dir` when given, else `$INTCTL_STATE_DIR`, else the repository's own (readConfig);
 * refused when it cannot be a directory. Whether Git could commit it is asked where an embedded
 * environment is opened (openEnvironment): an http environment keeps nothing there.
 */
export async function workspaceConfig(io: CliIo, root: string, stateDir: string | undefined): Promise<WorkspaceConfig> {
  const base = readConfig(undefined, io.cwd, await realpath(root));
  const path = stateDir === undefined ? base.stateDir : resolve(io.cwd, stateDir);
  const from = base.stateDirFrom === 'INTCTL_STATE_DIR' ? '$INTCTL_STATE_DIR' : `the default for the repository ${root}`;
  const blocker = await fileInTheWay(path);
  if (blocker !== undefined) {
    const what = stateDir === undefined ? `the state directory ${path} (${from})` : `--state-dir ${stateDir}`;
    const where = blocker === path ? `${what} is a file, not a directory` : `${what} cannot be a directory: ${blocker} is a file`;
    throw new UsageError(stateDir === undefined ? `${where}; choose another with --state-dir` : where);
  }
  const named = stateDir === undefined ? `the state directory ${path} (${from})` : `--state-dir ${stateDir}${stateDir === path ? '' : ` (${path})`}`;
  return { ...base, stateDir: path, named };
}

/**
 * The artifact cache of a command: generations shared by content, kept across runs in the cache
 * directory (content-addressed, bounded), or in memory only with `--no-cache`.
 */
export function cliArtifactCache(config: WorkspaceConfig, persistent: boolean): ArtifactCache {
  const store = persistent ? createDiskGenerationStore({ directory: config.cacheDir, maxBytes: config.cacheMaxBytes }) : undefined;
  return Object.assign(new Map<string, Artifact>(), { generations: createGenerationCache(store ? { store } : {}) });
}

/** The driver of an environment, once its store is known to be where Git cannot commit it (checkStoreLocation). */
export async function openEnvironment(environment: Environment, config: WorkspaceConfig, options: OpenDriverOptions = {}): Promise<EnvironmentDriver> {
  await checkStoreLocation(environment, config);
  return openDriver(environment, config, options);
}

/** The public key of an existing environment (what values are sealed to), read and let go. */
export async function environmentPublicKey(environment: Environment, config: WorkspaceConfig): Promise<string> {
  const driver = await openEnvironment(environment, config, { create: false });
  try {
    return await driver.publicKey();
  } finally {
    await driver.close();
  }
}

/** The path itself or its nearest existing ancestor when that is not a directory: what would make creating it fail. */
async function fileInTheWay(path: string): Promise<string | undefined> {
  for (let at = path; ; at = dirname(at)) {
    const info = await stat(at).catch(() => undefined);
    if (info) return info.isDirectory() ? undefined : at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * A reader over one commit of the repository at `root`, named by a commit, branch or tag. Git's
 * own words ("fatal: Needed a single revision") never reach the user: the message names the
 * option, the ref and the repository.
 */
export async function readCommit(root: string, ref: string, option: string): Promise<GitCommitReader> {
  // simple-git, loaded when a command reads a commit: a plan of a work tree runs git without it (workTreeCommit).
  const [{ simpleGit }, { gitRepository }] = await Promise.all([import('simple-git'), import('../source/git-repository.ts')]);
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo().catch(() => false))) throw new UsageError(`${option} ${ref}: ${root} is not a Git repository`);
  const commit = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '')).trim();
  if (commit === '') throw new UsageError(`${option} ${ref}: no commit, branch or tag named ${ref} in the repository ${root}`);
  return gitRepository(root, commit);
}

/** The Environment of that name, or a UsageError that says which ones the repository defines. */
export async function requireEnvironment(reader: RepositoryReader, name: string): Promise<Environment> {
  const found = await findEnvironment(reader, name);
  if (!found.ok) throw new UsageError(found.message);
  return found.environment;
}
