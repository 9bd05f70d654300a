import type { GitSource, LoadedCommit } from './git-source.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';

/** The Git source as the reconciles of every environment share it. */
export interface TrackedSource {
  /** Fetches the branch; reconciles that ask while a fetch runs share it instead of starting another. */
  fetch(): Promise<string>;
  /** Loads a commit once: reconciles of several environments at the same commit share the load. */
  load(commit: string): Promise<LoadedCommit>;
  /** Whether a fetch has ever succeeded: what /readyz waits for. */
  fetchedOnce(): boolean;
  /** Fetches a pull request's head into the mirror (GitSource.fetchPullRequest). */
  fetchPullRequest(number: number): Promise<string>;
  /** The files a commit changes against the tracked branch (GitSource.changedSinceBranch). */
  changedSinceBranch(commit: string): Promise<string[]>;
  /** The tracked branch's commit as last fetched (GitSource.branchCommit). */
  branchCommit(): Promise<string | undefined>;
}

/**
 * Wraps a GitSource for the controller: one fetch at a time (joined by whoever asks meanwhile),
 * timed into intctl_git_fetch_duration_seconds; loads one at a time (the source keeps a cache
 * keyed by blob id that concurrent loads would race on), the newest commit's load remembered.
 */
export function trackSource(source: GitSource, metrics: ControllerMetrics, clock: () => number = () => performance.now()): TrackedSource {
  let inFlight: Promise<string> | undefined;
  let succeeded = false;
  let last: { commit: string; loaded: Promise<LoadedCommit> } | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const fetchNow = async (): Promise<string> => {
    const started = clock();
    try {
      const commit = await source.fetch();
      metrics.gitFetchDuration.observe({ result: 'success' }, (clock() - started) / 1000);
      succeeded = true;
      return commit;
    } catch (error) {
      metrics.gitFetchDuration.observe({ result: 'failure' }, (clock() - started) / 1000);
      throw error;
    }
  };

  return {
    fetch() {
      inFlight ??= fetchNow().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    load(commit) {
      if (last?.commit === commit) return last.loaded;
      const loaded = chain.then(() => source.load(commit));
      chain = loaded.catch(() => undefined);
      const entry = { commit, loaded };
      last = entry;
      // A failed load is not remembered: the next reconcile tries again.
      loaded.catch(() => {
        if (last === entry) last = undefined;
      });
      return loaded;
    },
    fetchedOnce: () => succeeded,
    fetchPullRequest: (number) => source.fetchPullRequest(number),
    changedSinceBranch: (commit) => source.changedSinceBranch(commit),
    branchCommit: () => source.branchCommit(),
  };
}
