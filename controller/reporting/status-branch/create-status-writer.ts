import { execFile } from 'node:child_process';
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
/** The local ref fast-import writes each status commit to before it is pushed. */
const PENDING_REF = 'refs/intctl/pending';

/**
 * A StatusWriter that commits with Git plumbing in a bare repository of its own, never a work
 * tree or an index: one `git fast-import` makes the commit that sets the one file on the tip, and
 * a push without force sends it, two processes per status change. The tip is fetched on the first
 * write only: the remote takes a push only if the branch is still at the tip this writer last
 * saw, so a writer that lost a race fetches, re-applies its one file on the new tip and tries
 * again; nobody's update is overwritten. A document equal to the file at the tip is not written.
 * Writes of one writer run one at a time.
 */
export function createStatusWriter(options: StatusWriterOptions): StatusWriter {
  const transport = gitTransport(options);
  const branch = options.branch ?? DEFAULT_BRANCH;
  const maxAttempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const tracking = `refs/remotes/origin/${branch}`;
  const local = (): SimpleGit => simpleGit({ baseDir: options.dir }).env(transport.localEnv);
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

  /** The branch's tip as last seen, and what this writer knows of the files at that tip. */
  let tip: string | undefined;
  let tipKnown = false;
  const files = new Map<string, string | undefined>();
  const learnTip = async (): Promise<string | undefined> => {
    files.clear();
    tip = await fetchTip();
    tipKnown = true;
    return tip;
  };
  const fileAtTip = async (path: string): Promise<string | undefined> => {
    if (!tip) return undefined;
    if (!files.has(path)) files.set(path, await gitOutput(options.dir, ['cat-file', 'blob', `${tip}:${path}`], transport.localEnv).catch(() => undefined));
    return files.get(path);
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
    const text = renderStatusDocument(document);
    const message = statusCommitMessage(document);
    // The tip is fetched once; after that a push that is refused says the branch moved.
    if (!tipKnown) await learnTip();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if ((await fileAtTip(path)) === text) return 'unchanged';
      const base = tip;
      const commit = await commitOnto(base, path, text, message);
      const signal = AbortSignal.timeout(transport.timeoutMs);
      try {
        await remote(signal).raw(['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`]);
        tip = commit;
        files.set(path, text);
        return 'written';
      } catch (error) {
        const moved = await learnTip();
        // The push went through, and only the answer was lost.
        if (moved === commit) return 'written';
        // Only a branch that another writer moved since this writer last saw it is worth another attempt.
        if (moved === base) throw failed('push to', error, signal);
        if (attempt < maxAttempts) options.onRetry?.({ path, attempt });
      }
      await sleep(Math.floor(Math.random() * 50 * attempt));
    }
    throw new StatusWriteFailedError(`gave up writing ${path} to ${branch} after ${maxAttempts} attempts: other writers kept moving the branch`);
  };

  /** One commit on `base` (none: a root commit) that sets one file, made by one `git fast-import`, no index or work tree. */
  const commitOnto = async (base: string | undefined, path: string, text: string, message: string): Promise<string> => {
    const bytes = (value: string): string => `data ${Buffer.byteLength(value)}\n${value}\n`;
    const stream = [
      `commit ${PENDING_REF}\nmark :1\n`,
      `committer ${options.author.name} <${options.author.email}> now\n`,
      bytes(message),
      base ? `from ${base}\n` : '',
      `M 100644 inline ${path}\n`,
      bytes(text),
      '\nget-mark :1\n',
    ].join('');
    return (await gitOutput(options.dir, ['fast-import', '--quiet', '--force', '--date-format=now'], transport.localEnv, stream)).trim();
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

/**
 * Runs a local git command in the writer's repository and returns its standard output, writing
 * `input` to its standard input (which simple-git cannot do).
 */
function gitOutput(dir: string, args: string[], env: Record<string, string>, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout);
    });
    // A command that exits before reading its input closes the pipe: its exit status tells what happened.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}
