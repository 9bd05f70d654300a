import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { tooLargeMessage, UnreadableFileError, type PathCheck, type ReadOptions, type RepoEntry, type RepositoryReader } from '../core/repository-reader.ts';

const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

/**
 * How long after its last change a file's stamp is trusted. A file changed again within one tick
 * of the file system's clock (a second or two on some) can keep its stamp; one whose modification
 * and change times are this far in the past cannot have been changed within the tick of its stamp
 * without the times moving. Git calls the other kind "racily clean" and reads it again, as here.
 */
export const STAMP_SETTLED_MS = 2000;

export interface FsRepositoryOptions {
  /** The clock the settled time of stamps is measured by (tests move it forward). */
  now?: () => number;
}

/**
 * Reads a repository from a directory on disk. Symbolic links are not followed while walking (Git
 * stores them as links, and following one could read outside the repository); a specification
 * path that goes through one is checked against the repository's real location. Listing and
 * reading are synchronous underneath: for the CLI, reading 10,000 small files, a system call each
 * costs a fraction of a round trip through the thread pool per call.
 */
export function fsRepository(root: string, options: FsRepositoryOptions = {}): RepositoryReader {
  let realRoot: Promise<string> | undefined;
  const readNow = (path: string, { maxBytes }: ReadOptions = {}): Uint8Array => {
    // Opened without blocking, so a named pipe with no writer cannot hold the open; then the
    // handle itself is checked, so what is read is what was checked.
    const fd = openSync(join(root, path), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) throw new UnreadableFileError(path, 'NotRegularFile', `${path} is ${describeSpecial(info)}, not a regular file; only regular files are read`);
      if (maxBytes !== undefined && info.size > maxBytes) throw new UnreadableFileError(path, 'TooLarge', tooLargeMessage(path, info.size, maxBytes));
      return readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  return {
    async listYamlFiles(): Promise<RepoEntry[]> {
      const settledBefore = (options.now ?? Date.now)() - STAMP_SETTLED_MS;
      const out: RepoEntry[] = [];
      // Directories to list, each with its path relative to the root (forward slashes; '' for the root).
      const pending: Array<[dir: string, relative: string]> = [[root, '']];
      while (pending.length > 0) {
        const [dir, under] = pending.pop()!;
        const entries = readdirSync(dir, { withFileTypes: true });
        for (const entry of entries) {
          const full = join(dir, entry.name);
          const path = under === '' ? entry.name : `${under}/${entry.name}`;
          if (entry.isDirectory()) {
            if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push([full, path]);
          } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
            const info = statSync(full);
            if (Math.max(info.mtimeMs, info.ctimeMs) < settledBefore) out.push({ path, size: info.size, stamp: `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}` });
            else out.push({ path, size: info.size });
          }
        }
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async read(path: string, options?: ReadOptions): Promise<Uint8Array> {
      return readNow(path, options);
    },

    readNow,

    async checkPath(path: string): Promise<PathCheck> {
      realRoot ??= realpath(root);
      const full = join(root, path);
      try {
        await lstat(full);
      } catch {
        return 'missing';
      }
      let real: string;
      try {
        real = await realpath(full);
      } catch {
        return 'missing';
      }
      const inside = relative(await realRoot, real);
      if (inside === '' || inside.startsWith('..') || inside.split(sep)[0] === '..') return 'outside';
      const info = await stat(real);
      return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'special';
    },
  };
}

/** What a file system entry that is neither a file nor a directory is, as people call it. */
function describeSpecial(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a directory';
  return 'a special file';
}
