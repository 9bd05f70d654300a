import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleGit, type SimpleGit } from 'simple-git';
import { describeGitError } from '../../source/describe-git-error.ts';
import { gitTransport } from '../../source/git-transport.ts';
import { prepareBareRepository } from '../../source/prepare-bare-repository.ts';
import { runExclusively } from '../../source/run-exclusively.ts';
import { renderStatusDocument, statusCommitMessage } from './status-document.ts';
import { StatusWriteFailedError, type StatusWriter, type StatusWriterOptions } from './status-writer.ts';
import type { EnvironmentStatusDocument } from '../../core/environment-status.ts';

const DEFAULT_BRANCH = 'intctl/status';
const DEFAULT_ATTEMPTS = 5;
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A StatusWriter that commits with Git plumbing in a bare repository of its own, never a work
 * tree: the file becomes a blob (hash-object), the tip's tree plus that blob becomes a tree
 * through a temporary index (read-tree, update-index, write-tree), then a commit (commit-tree)
 * whose parent is the tip fetched just before, pushed without force. The remote takes the push
 * only if the branch is still at that tip, so a writer that lost a race fetches, re-applies its
 * one file on the new tip and tries again; nobody's update is overwritten. Writes of one writer
 * run one at a time.
 */
export function createStatusWriter(options: StatusWriterOptions): StatusWriter {
  const transport = gitTransport(options);
  const branch = options.branch ?? DEFAULT_BRANCH;
  const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const tracking = `refs/remotes/origin/${branch}`;
  const identity = {
    GIT_AUTHOR_NAME: options.author.name,
    GIT_AUTHOR_EMAIL: options.author.email,
    GIT_COMMITTER_NAME: options.author.name,
    GIT_COMMITTER_EMAIL: options.author.email,
  };
  const local = (env: Record<string, string> = {}): SimpleGit =>
    simpleGit({ baseDir: options.dir }).env({ ...transport.localEnv, ...identity, ...env });
  const remote = (signal: AbortSignal): SimpleGit =>
    simpleGit({ baseDir: options.dir, unsafe: transport.unsafe, abort: signal }).env(transport.env);
  const failed = (what: string, error: unknown, signal?: AbortSignal): StatusWriteFailedError =>
    new StatusWriteFailedError(
      transport.redact(`cannot ${what} ${branch} of ${options.url}: ${signal?.aborted ? `timed out after ${transport.timeoutMs} ms` : describeGitError(error)}`),
    );

  const exclusive = runExclusively();
  let prepared = false;

  /** The remote tip of the branch, or undefined while it does not exist. */
  const fetchTip = async (): Promise<string | undefined> => {
    const signal = AbortSignal.timeout(transport.timeoutMs);
    try {
      // A pattern refspec matches nothing, without an error, while the branch does not exist.
      await remote(signal).raw(['fetch', '--prune', '--force', '--no-tags', 'origin', `+refs/heads/${branch}*:refs/remotes/origin/${branch}*`]);
    } catch (error) {
      throw failed('fetch', error, signal);
    }
    return revision(local(), tracking);
  };

  const commitOnto = async (tip: string | undefined, blob: string, path: string, message: string): Promise<string> => {
    const index = join(options.dir, `intctl-index-${randomBytes(6).toString('hex')}`);
    try {
      const git = local({ GIT_INDEX_FILE: index });
      await git.raw(tip ? ['read-tree', tip] : ['read-tree', '--empty']);
      await git.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`]);
      const tree = (await git.raw(['write-tree'])).trim();
      return (await git.raw(['commit-tree', tree, ...(tip ? ['-p', tip] : []), '-m', message])).trim();
    } finally {
      await rm(index, { force: true });
    }
  };

  const writeOnce = async (document: EnvironmentStatusDocument): Promise<'written' | 'unchanged'> => {
    if (!ENVIRONMENT_NAME.test(document.environment)) throw new TypeError(`not an environment name: ${JSON.stringify(document.environment)}`);
    if (!prepared) {
      await prepareBareRepository(options.dir, options.url, branch, transport).catch((error: unknown) => {
        throw failed('prepare a repository for', error);
      });
      prepared = true;
    }
    const path = `status/${document.environment}.yaml`;
    const blob = await hashObject(local(), options.dir, renderStatusDocument(document));
    const message = statusCommitMessage(document);
    let tip = await fetchTip();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (tip && (await revision(local(), `${tip}:${path}`)) === blob) return 'unchanged';
      const commit = await commitOnto(tip, blob, path, message);
      const signal = AbortSignal.timeout(transport.timeoutMs);
      try {
        await remote(signal).raw(['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`]);
        await local().raw(['update-ref', tracking, commit]);
        return 'written';
      } catch (error) {
        const moved = await fetchTip();
        // The push went through, and only the answer was lost.
        if (moved === commit) return 'written';
        // Only a branch that another writer moved since the fetch is worth another attempt.
        if (moved === tip) throw failed('push to', error, signal);
        tip = moved;
        if (attempt < maxAttempts) options.onRetry?.({ path, attempt });
      }
      await sleep(Math.floor(Math.random() * 50 * attempt));
    }
    throw new StatusWriteFailedError(`gave up writing ${path} to ${branch} after ${maxAttempts} attempts: other writers kept moving the branch`);
  };

  return {
    write: (document) => exclusive(() => writeOnce(document)),
  };
}

/** The object a revision names, or undefined when there is none. */
async function revision(git: SimpleGit, rev: string): Promise<string | undefined> {
  const out = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', rev]).catch(() => '');
  return out.trim() || undefined;
}

/** Stores the text as a blob (simple-git passes nothing on stdin, so it goes through a file). */
async function hashObject(git: SimpleGit, dir: string, text: string): Promise<string> {
  const file = join(dir, `intctl-blob-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(file, text);
    return (await git.raw(['hash-object', '-w', '--no-filters', '--', file])).trim();
  } finally {
    await rm(file, { force: true });
  }
}
