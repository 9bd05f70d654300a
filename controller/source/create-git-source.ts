import { simpleGit } from 'simple-git';
import { gitRepository } from './git-repository.ts';
import { sortProblems, type Problem } from '../core/problem.ts';
import { loadManifests, type LoadedFile } from '../load/load-manifests.ts';
import { DEFAULT_YAML_LIMITS } from '../load/parse-yaml-file.ts';
import { checkSelectionsIncrementally } from '../validate/check-selections-incrementally.ts';
import { generationalCache } from '../core/generational-cache.ts';
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
 * so a force-push moves it like any push. Loads are incremental: per-file results are kept by blob
 * id, selection checks by the blobs of manifest and specification, file contents by blob id up to
 * a byte budget, each cache holding what the last load used. Fetches run one at a time, and so do
 * loads.
 */
export function createGitSource(options: GitSourceOptions): GitSource {
  const transport = gitTransport(options);
  const { dir, branch } = options;
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  const fileCache = generationalCache<LoadedFile>();
  const selectionCache = generationalCache<Problem[]>();
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
      return (await git.revparse(['--verify', '--end-of-options', `${ref}^{commit}`])).trim();
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
    try {
      const files = reader.files();
      const loaded = await loadManifests(reader, limits, fileCache);
      let problems = loaded.problems;
      let selectionsChecked = 0;
      if (!problems.some((p) => p.severity === 'error')) {
        const selections = await checkSelectionsIncrementally(loaded.set, reader, files, selectionCache);
        problems = sortProblems([...problems, ...selections.problems]);
        selectionsChecked = selections.checked;
        selectionCache.rotate();
      }
      fileCache.rotate();
      const changedFiles = diffListings(previousFiles, files);
      previousFiles = files;
      last = {
        ...loaded,
        problems,
        errors: problems.filter((p) => p.severity === 'error'),
        commit: reader.commit,
        reader,
        changedFiles,
        stats: { ...loaded.stats, selectionsChecked, gitReads: blobs.reads - readsBefore },
      };
      return last;
    } catch (error) {
      fileCache.discard();
      selectionCache.discard();
      throw error;
    }
  };

  const changedSinceBranch = async (commit: string): Promise<string[]> => {
    if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${JSON.stringify(commit)} is not a commit id`);
    const git = simpleGit({ baseDir: dir, unsafe: transport.unsafe }).env(transport.localEnv);
    const out = await git.raw(['diff', '--name-only', '-z', '--no-renames', `refs/heads/${branch}...${commit}`, '--']);
    return out.split('\0').filter((p) => p !== '').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };

  return {
    fetch: () => fetchLock(fetchTip),
    fetchPullRequest: (number) => fetchLock(() => fetchPull(number)),
    changedSinceBranch,
    load: (commit) => loadLock(() => loadCommit(commit)),
    close: () => blobs.close(),
  };
}

/** Paths added, changed or removed between two listings of path -> blob id, sorted. */
export function diffListings(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed: string[] = [];
  for (const [path, id] of after) if (before.get(path) !== id) changed.push(path);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
