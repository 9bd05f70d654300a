import { simpleGit } from 'simple-git';
import { parse } from 'yaml';
import type { EnvironmentStatusDocument } from '../../core/environment-status.ts';

/** One commit of `status/<environment>.yaml` on the status branch: the environment's status as the controller wrote it then. */
export interface StatusCommit {
  /** The status commit itself, and when it was made. */
  commit: string;
  at: string;
  observedCommit: string;
  ready?: { status: string; reason: string; message?: string };
  lastApplied?: EnvironmentStatusDocument['lastApplied'];
}

export interface StatusHistory {
  /** The ref read (`intctl/status`, or `origin/intctl/status` when only the remote-tracking branch is there); undefined when neither is. */
  ref?: string;
  /** Newest first. */
  commits: StatusCommit[];
}

/**
 * The history of one environment's status file on the status branch of a local repository: the
 * branch itself, else its remote-tracking branch on origin (what `git fetch` brings). Newest
 * first, at most `limit` commits. A branch that is not there is an empty history, not an error.
 */
export async function readStatusHistory(root: string, branch: string, environment: string, limit: number): Promise<StatusHistory> {
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo().catch(() => false))) return { commits: [] };
  let ref: string | undefined;
  let full = '';
  for (const candidate of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    const found = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${candidate}^{commit}`]).catch(() => '')).trim();
    if (found !== '') {
      ref = candidate.replace(/^refs\/(heads|remotes)\//, '');
      full = candidate;
      break;
    }
  }
  if (ref === undefined) return { commits: [] };
  const path = `status/${environment}.yaml`;
  const log = await git.raw(['log', `--max-count=${limit}`, '--format=%H%x09%cI', full, '--', path]);
  const commits: StatusCommit[] = [];
  for (const line of log.split('\n')) {
    if (line === '') continue;
    const [commit, at] = line.split('\t') as [string, string];
    const text = await git.raw(['show', `${commit}:${path}`]).catch(() => undefined);
    // A commit that removed the file (the environment left the repository) has nothing to show.
    if (text === undefined) continue;
    const document = parse(text) as Partial<EnvironmentStatusDocument> | null;
    const ready = document?.conditions?.find((c) => c.type === 'Ready');
    commits.push({
      commit,
      at,
      observedCommit: String(document?.observedCommit ?? ''),
      ...(ready ? { ready: { status: ready.status, reason: ready.reason, ...(ready.message !== undefined ? { message: ready.message } : {}) } } : {}),
      ...(document?.lastApplied ? { lastApplied: document.lastApplied } : {}),
    });
  }
  return { ref, commits };
}
