import { basename, dirname, join } from 'node:path';
import { createGitSource } from '../../../controller/source/create-git-source.ts';
import type { GitSource } from '../../../controller/source/git-source.ts';
import type { EnvironmentStatusDocument } from '../../../controller/core/environment-status.ts';
import type { StatusWriter } from '../../../controller/reporting/status-branch/status-writer.ts';

/** The real Git source, mirroring a local repository into the state directory. */
export function localGitSource(repo: string, branch = 'main', mirror = join(dirname(repo), `mirror-${basename(repo)}.git`)): GitSource {
  return createGitSource({ url: repo, branch, dir: mirror, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
}

/** A StatusWriter that keeps what it is given, answering `unchanged` for a document equal to the last. */
export function recordingStatusWriter(): StatusWriter & { documents: EnvironmentStatusDocument[] } {
  const documents: EnvironmentStatusDocument[] = [];
  const last = new Map<string, string>();
  return {
    documents,
    async write(document) {
      const text = JSON.stringify(document);
      if (last.get(document.environment) === text) return 'unchanged';
      last.set(document.environment, text);
      documents.push(structuredClone(document));
      return 'written';
    },
  };
}
