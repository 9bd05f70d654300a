import { mkdir, readdir } from 'node:fs/promises';
import { simpleGit } from 'simple-git';
import type { GitTransport } from './git-transport.ts';

/**
 * Makes `dir` a bare repository whose `origin` is the remote (following a URL that changed since),
 * and refuses a branch name git would read as something else. A directory that holds anything but
 * a bare repository is left alone: it is someone else's.
 */
export async function prepareBareRepository(dir: string, url: string, branch: string, transport: Pick<GitTransport, 'env' | 'unsafe'>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const git = simpleGit({ baseDir: dir, unsafe: transport.unsafe }).env(transport.env);
  if ((await readdir(dir)).length === 0) {
    await git.raw(['init', '--bare', '--quiet', '.']);
  } else if ((await git.raw(['rev-parse', '--is-bare-repository']).catch(() => '')).trim() !== 'true') {
    throw new Error(`${dir} is not empty and not a bare Git repository; it needs a directory of its own`);
  }
  if (branch.startsWith('-') || !(await git.raw(['check-ref-format', `refs/heads/${branch}`]).then(() => true, () => false))) {
    throw new Error(`${JSON.stringify(branch)} is not a valid branch name`);
  }
  const current = (await git.raw(['config', '--get', 'remote.origin.url']).catch(() => '')).trim();
  if (current === '') await git.raw(['remote', 'add', 'origin', '--', url]);
  else if (current !== url) await git.raw(['remote', 'set-url', 'origin', '--', url]);
}
