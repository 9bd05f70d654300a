import type { GitSource, LoadedCommit } from './git-source.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';

/** The Git source as the reconciles of every environment share it. */
export interface TrackedSource {
  /**
   * A trigger arrived (a push webhook, a poll, a callback): the next `fetch` answers with a fetch
   * that began after it, never with one already in flight, which may have read the branch before
   * the push the trigger announces.
   */
  triggered(): void;
  /**
   * Fetches the branch. A fetch in flight is shared when it began after the last trigger;
   * otherwise the caller waits for the next fetch, which every caller waiting meanwhile shares.
   */
  fetch(): Promise<string>;
  /**
   * Loads a commit once: reconciles of several environments at the same commit share the load,
   * and the last two commits loaded are kept, so that planning a pull request (its head, then the
   * tracked branch it merges into) does not load the branch again each time.
   */
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
 * Loads remembered: a pull request's plan loads its head and then the tracked branch, so with one
 * the branch (10,000 integrations: hundreds of milliseconds) was loaded again for every pull request.
 */
export const KEPT_LOADS = 2;

/**
 * Wraps a GitSource for the controller: one fetch at a time (joined by whoever asks meanwhile,
 * unless a trigger arrived after it began: a fetch generation),
 * timed into intctl_git_fetch_duration_seconds; loads one at a time (the source keeps a cache
 * keyed by blob id that concurrent loads would race on), the loads of the last KEPT_LOADS commits
 * remembered.
 */
export function trackSource(source: GitSource, metrics: ControllerMetrics, clock: () => number = () => performance.now()): TrackedSource {
  /** Triggers counted so far; a fetch covers those counted when it began. */
  let triggers = 0;
  let inFlight: { covers: number; commit: Promise<string> } | undefined;
  /** The fetch that starts once the one in flight ends, for callers it does not cover. */
  let next: Promise<string> | undefined;
  let succeeded = false;
  /** The loads remembered, the most recently asked for last. */
  let kept: Array<{ commit: string; loaded: Promise<LoadedCommit> }> = [];
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
    triggered() {
      triggers += 1;
    },
    fetch() {
      const start = (): Promise<string> => {
        const commit = fetchNow().finally(() => {
          if (inFlight?.commit === commit) inFlight = undefined;
        });
        inFlight = { covers: triggers, commit };
        return commit;
      };
      const needs = triggers;
      if (inFlight === undefined) return start();
      if (inFlight.covers >= needs) return inFlight.commit;
      next ??= inFlight.commit
        .catch(() => undefined)
        .then(() => {
          next = undefined;
          // Whoever waits here needs no more than the triggers counted by now.
          return inFlight !== undefined && inFlight.covers >= triggers ? inFlight.commit : start();
        });
      return next;
    },
    load(commit) {
      const found = kept.find((entry) => entry.commit === commit);
      if (found) {
        kept = [...kept.filter((entry) => entry !== found), found];
        return found.loaded;
      }
      const loaded = chain.then(() => source.load(commit));
      chain = loaded.catch(() => undefined);
      const entry = { commit, loaded };
      kept = [...kept, entry].slice(-KEPT_LOADS);
      // A failed load is not remembered: the next reconcile tries again.
      loaded.catch(() => {
        kept = kept.filter((other) => other !== entry);
      });
      return loaded;
    },
    fetchedOnce: () => succeeded,
    fetchPullRequest: (number) => source.fetchPullRequest(number),
    changedSinceBranch: (commit) => source.changedSinceBranch(commit),
    branchCommit: () => source.branchCommit(),
  };
}
