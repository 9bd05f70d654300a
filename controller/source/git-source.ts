/**
 * The Git source of the controller: a local mirror of one branch of a remote repository, read
 * one exact commit at a time (never a work tree). Implemented in this folder with simple-git
 * (create-git-source.ts).
 */
import type { GitCommitReader } from './git-repository.ts';
import { TransientError } from '../core/errors.ts';
import type { LoadedRepository } from '../load/load-repository.ts';
import type { YamlLimits } from '../load/parse-yaml-file.ts';
import type { SpecModels } from '../generators/spec-models.ts';

/** Where a remote is and how to reach it; shared by the source and the status writer. */
export interface GitRemote {
  /** https://, ssh:// or scp-like (git@host:org/repo.git), or a local path / file:// URL. */
  url: string;
  /**
   * Credentials for http(s): a token or user and password, sent as HTTP basic auth in a header
   * that git gets through its environment for that one command, so they are never in the URL,
   * on a command line, in the mirror's config or in a message. The user defaults to
   * `x-access-token` (what GitHub expects with a token).
   */
  auth?: { username?: string; password: string };
  /** A private key file for ssh, and a known_hosts file (StrictHostKeyChecking=yes when given). */
  ssh?: { privateKeyPath: string; knownHostsPath?: string };
  /** Longest one network operation (a fetch or a push) may take; 60 s when left out. */
  timeoutMs?: number;
  /**
   * The environment git runs in (PATH, HOME, proxy and CA settings), as configuration read it;
   * the process's own when left out. Variables named GIT_* (and EDITOR, PAGER...) are dropped from
   * it, so nothing inherited (GIT_DIR, GIT_SSH_COMMAND, GIT_ASKPASS...) can redirect what git does.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface GitSourceOptions extends GitRemote {
  branch: string;
  /** Where the mirror lives (a bare repository); created on first fetch. */
  dir: string;
  /** Limits on the YAML files read; DEFAULT_YAML_LIMITS when left out. */
  limits?: YamlLimits;
  /** Most bytes of file contents kept in memory between loads (specifications); 64 MiB when left out. */
  blobCacheBytes?: number;
}

export interface LoadedCommit extends LoadedRepository {
  commit: string;
  /** Reads this commit; it shares the source's blob cache, so reading a file again is cheap. */
  reader: GitCommitReader;
  /** The source's parsed specifications, holding those of this commit: generate from them without parsing again. */
  models: SpecModels;
  /**
   * Files (of any kind) added, changed or removed since the previous commit loaded, sorted; every
   * file on the first load. A diff of the two trees, so it holds after a force-push too.
   */
  changedFiles: string[];
  stats: LoadedRepository['stats'] & {
    /** Blobs git was asked for while this load ran (those already in memory are not counted). */
    gitReads: number;
  };
}

export interface GitSource {
  /**
   * Fetches the branch and returns the commit at its tip. A force-push or rewritten history is
   * followed like any other move. Throws GitFetchFailedError (transient) when the remote cannot be
   * reached, refuses the credentials, has no such branch, or answers with something that is not
   * a Git repository; the mirror keeps the last commit fetched, which can still be loaded.
   */
  fetch(): Promise<string>;
  /**
   * Loads and validates the manifests of one commit (what `intctl validate` checks: schemas,
   * references, and selections against their specifications once the rest is valid), re-reading
   * only files whose blob changed since the previous load (a cache keyed by blob id), so the cost
   * of a commit grows with what it changed, not with the size of the repository. Loading the
   * commit loaded last returns the same result. Throws when the commit is not in the mirror.
   */
  load(commit: string): Promise<LoadedCommit>;
  /**
   * Fetches a pull request's head (`refs/pull/<number>/head`, as GitHub publishes it) into the
   * mirror and returns its commit, which `load` can then read. Throws GitFetchFailedError.
   */
  fetchPullRequest(number: number): Promise<string>;
  /**
   * The files a commit changes against the tracked branch as last fetched, since the two parted
   * (`git diff <branch>...<commit>`, what a pull request's "Files changed" shows), sorted.
   */
  changedSinceBranch(commit: string): Promise<string[]>;
  /** The tracked branch's commit as last fetched into the mirror, without fetching; undefined before the first fetch. */
  branchCommit(): Promise<string | undefined>;
  /** Stops the git process kept for reading blobs; the source may still be used (it starts again). */
  close(): Promise<void>;
}

/** The remote could not be fetched; retried with backoff, and the last good state stays applied. */
export class GitFetchFailedError extends TransientError {
  readonly reason = 'GitFetchFailed';
}
