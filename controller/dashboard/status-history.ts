import { existsSync } from 'node:fs';
import { simpleGit } from 'simple-git';
import type { HistoryEntry } from './environment-view.ts';

/** The ref the status writer makes each status commit on before pushing it (reporting/status-branch/create-status-writer.ts). */
const WRITTEN_REF = 'refs/intctl/pending';
const SEPARATOR = '\u001f';
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface StatusHistoryOptions {
  /** The status writer's bare repository. */
  dir: string;
  /** How many entries, newest first. */
  limit?: number;
  /** Links to a commit and its check runs, when the repository is on GitHub. */
  links?: { commit: (sha: string) => string; checks: (sha: string) => string };
}

/**
 * The history of `status/<environment>.yaml` on the status branch, read from the status writer's
 * own repository (no network): one entry per status commit, newest first. Empty before the first
 * status was written.
 */
export function statusHistory(options: StatusHistoryOptions): (environment: string) => Promise<HistoryEntry[]> {
  return async (environment) => {
    // The writer makes its repository at its first write.
    if (!ENVIRONMENT_NAME.test(environment) || !existsSync(options.dir)) return [];
    let out: string;
    try {
      out = await simpleGit({ baseDir: options.dir }).raw(['log', `-n${options.limit ?? 50}`, `--format=%H${SEPARATOR}%cI${SEPARATOR}%s`, WRITTEN_REF, '--', `status/${environment}.yaml`]);
    } catch {
      return [];
    }
    return out
      .split('\n')
      .filter((line) => line.includes(SEPARATOR))
      .map((line) => {
        const [commit = '', at = '', message = ''] = line.split(SEPARATOR);
        const source = / at ([0-9a-f]{7,40})$/.exec(message)?.[1];
        return {
          commit,
          at,
          message,
          ...(options.links ? { url: options.links.commit(commit) } : {}),
          ...(options.links && source ? { checksUrl: options.links.checks(source) } : {}),
        };
      });
  };
}

/** Links to commits and their check runs on GitHub (or GitHub Enterprise, from its API URL). */
export function githubLinks(github: { apiUrl: string; owner: string; repo: string }): NonNullable<StatusHistoryOptions['links']> {
  const api = new URL(github.apiUrl);
  const web = api.hostname === 'api.github.com' ? 'https://github.com' : `${api.protocol}//${api.host}`;
  const base = `${web}/${encodeURIComponent(github.owner)}/${encodeURIComponent(github.repo)}`;
  return { commit: (sha) => `${base}/commit/${sha}`, checks: (sha) => `${base}/commit/${sha}/checks` };
}
