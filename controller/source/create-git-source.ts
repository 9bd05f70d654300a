import { simpleGit } from 'simple-git';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitRepository } from './git-repository.ts';
import type { CachedFile } from '../load/load-manifests.ts';
import type { CachedSelection } from '../validate/check-selections-incrementally.ts';
import { loadRepository } from '../load/load-repository.ts';
import { DEFAULT_YAML_LIMITS } from '../load/parse-yaml-file.ts';
import { generationalCache } from '../core/generational-cache.ts';
import { createSpecModels } from '../generators/spec-models.ts';
import { GitFetchFailedError, type GitSource, type GitSourceOptions, type LoadedCommit } from './git-source.ts';
import { describeGitError } from './describe-git-error.ts';
import { gitTransport } from './git-transport.ts';
import { openBlobReader } from './open-blob-reader.ts';
import { prepareBareRepository } from './prepare-bare-repository.ts';
import { runExclusively } from './run-exclusively.ts';

const DEFAULT_BLOB_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * A GitSource over a bare mirror in `options.dir`: created on the first fetch, then brought to the
 * remote branch with `git fetch --prune --force origin +refs/heads/<branch>:refs/heads/<branch>`,
 * so a force-push moves it like any push. Loads are incremental (loadRepository with caches):
 * per-file results are kept by blob id, selection checks by the blobs of manifest and
 * specification, parsed specifications by digest, file contents by blob id up to a byte budget,
 * each cache holding what the last load or two used. Fetches run one at a time, and so do loads.
 */
export function createGitSource(options: GitSourceOptions): GitSource {
  const transport = gitTransport(options);
  const { dir, branch } = options;
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  const caches = { files: generationalCache<CachedFile>(), selections: generationalCache<CachedSelection>() };
  const models = createSpecModels();
  const blobs = openBlobReader(dir, { env: transport.localEnv, cacheBytes: options.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES });
  const fetchLock = runExclusively();
  const loadLock = runExclusively();
  let prepared = false;
  let last: LoadedCommit | undefined;
  let previousFiles: ReadonlyMap<string, string> = new Map();

  /**
   * One fetch into the mirror (created on first use), then the commit `ref` names. Every failure,
   * the timeout included, is a GitFetchFailedError about `what`, with credentials redacted.
   */
  const fetchInto = async (what: string, args: string[], ref: string): Promise<string> => {
    const signal = AbortSignal.timeout(transport.timeoutMs);
    try {
      if (!prepared) {
        await prepareBareRepository(dir, options.url, branch, transport);
        prepared = true;
      }
      const git = simpleGit({ baseDir: dir, unsafe: transport.unsafe, abort: signal }).env(transport.env);
      await git.raw(['fetch', ...args]);
      return (await looseRef(dir, ref)) ?? (await git.revparse(['--verify', '--end-of-options', `${ref}^{commit}`])).trim();
    } catch (error) {
      const detail = signal.aborted ? `timed out after ${transport.timeoutMs} ms` : describeGitError(error);
      throw new GitFetchFailedError(transport.redact(`cannot fetch ${what} of ${options.url}: ${detail}`));
    }
  };
  const tracked = `+refs/heads/${branch}:refs/heads/${branch}`;
  const fetchTip = () => fetchInto(`branch ${branch}`, ['--prune', '--force', '--no-tags', 'origin', tracked], `refs/heads/${branch}`);
  const fetchPull = (number: number): Promise<string> => {
    if (!Number.isSafeInteger(number) || number <= 0) return Promise.reject(new GitFetchFailedError(`${number} is not a pull request number`));
    const ref = `refs/intctl/pull/${number}/head`;
    return fetchInto(`pull request ${number}`, ['--force', '--no-tags', 'origin', `+refs/pull/${number}/head:${ref}`, tracked], ref);
  };

  const loadCommit = async (ref: string): Promise<LoadedCommit> => {
    if (last?.commit === ref) return last;
    const reader = await gitRepository(dir, ref, { readBlob: (id) => blobs.read(id), env: transport.localEnv });
    if (last?.commit === reader.commit) return last;
    const readsBefore = blobs.reads;
    const files = reader.files();
    const loaded = await loadRepository(reader, { limits, caches, models });
    const changedFiles = diffListings(previousFiles, files);
    previousFiles = files;
    last = { ...loaded, commit: reader.commit, reader, models, changedFiles, stats: { ...loaded.stats, gitReads: blobs.reads - readsBefore } };
    return last;
  };

  const changedSinceBranch = async (commit: string): Promise<string[]> => {
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${JSON.stringify(commit)} is not a commit id`);
    const git = simpleGit({ baseDir: dir, unsafe: transport.unsafe }).env(transport.localEnv);
    const out = await git.raw(['diff', '--name-only', '-z', '--no-renames', `refs/heads/${branch}...${commit}`, '--']);
    return out.split('\0').filter((p) => p !== '').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };

  const branchCommit = async (): Promise<string | undefined> => {
    const git = simpleGit({ baseDir: dir, unsafe: transport.unsafe }).env(transport.localEnv);
    const found = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}^{commit}`]).catch(() => '');
    return /^[0-9a-f]{40}$/.test(found.trim()) ? found.trim() : undefined;
  };

  return {
    fetch: () => fetchLock(fetchTip),
    branchCommit,
    fetchPullRequest: (number) => fetchLock(() => fetchPull(number)),
    changedSinceBranch,
    load: (commit) => loadLock(() => loadCommit(commit)),
    close: () => blobs.close(),
  };
}

/**
 * The object a ref the fetch just wrote names, read from its file: a fetch writes every ref it
 * updates as a loose file, which then outranks packed-refs, so this costs no process. Undefined
 * when there is no such file (a ref packed since, a repository that stores refs otherwise), and
 * the caller asks git; reading the commit checks later that it is one.
 */
async function looseRef(dir: string, ref: string): Promise<string | undefined> {
  const text = await readFile(join(dir, ...ref.split('/')), 'utf8').catch(() => undefined);
  const id = text?.trim();
  return id !== undefined && /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(id) ? id : undefined;
}

/** Paths added, changed or removed between two listings of path -> blob id, sorted. */
export function diffListings(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed: string[] = [];
  for (const [path, id] of after) if (before.get(path) !== id) changed.push(path);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
