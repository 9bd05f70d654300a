import { posix } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { tooLargeMessage, UnreadableFileError, type PathCheck, type ReadOptions, type RepoEntry, type RepositoryReader } from '../core/repository-reader.ts';

interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  object: string;
  size: number;
}

const SYMLINK = '120000';
const MAX_LINKS = 40;

export interface GitRepositoryOptions {
  /**
   * Reads a blob by id. The default runs `git cat-file blob` once per read; a caller reading many
   * files passes a long-lived `git cat-file --batch` instead (source/open-blob-reader.ts).
   */
  readBlob?: (id: string) => Promise<Uint8Array>;
  /** The environment git runs in; inherited when left out. */
  env?: Record<string, string>;
}

/** A reader over one commit that also says which commit it is and the blob id of every file in it. */
export interface GitCommitReader extends RepositoryReader {
  /** The full id of the commit read. */
  readonly commit: string;
  /** Every file of the commit (symbolic links included) by path, with its blob id. */
  files(): ReadonlyMap<string, string>;
  /** The blob id of the file a path leads to, following symbolic links inside the commit. */
  contentId(path: string): Promise<string | undefined>;
}

/**
 * Reads one commit of a Git repository, never the work tree: `git ls-tree -r -t -l -z <ref>` lists
 * it once (with blob ids, so a loader can tell unchanged files), `git cat-file` reads blobs by id.
 * Symbolic links are entries of mode 120000 whose blob is the target; a specification path through
 * one is resolved inside the commit, and is `outside` when the target leaves the repository.
 */
export async function gitRepository(dir: string, ref: string, options: GitRepositoryOptions = {}): Promise<GitCommitReader> {
  const git: SimpleGit = simpleGit({ baseDir: dir });
  if (options.env) git.env(options.env);
  const commit = (await git.revparse(['--verify', '--end-of-options', `${ref}^{commit}`])).trim();
  const entries = parseListing(await git.raw(['ls-tree', '-r', '-t', '-l', '-z', commit]));
  const readBlob = options.readBlob ?? (async (object: string): Promise<Uint8Array> => git.binaryCatFile(['blob', object]));
  let files: Map<string, string> | undefined;

  /** Follows symbolic links segment by segment, as the file system would. */
  const resolvePath = async (path: string): Promise<{ entry?: TreeEntry; outside?: boolean }> => {
    // A path listed as it is names a real entry under real directories: `ls-tree -r` does not
    // descend into a symbolic link, so nothing listed lies under one.
    const listed = entries.get(path);
    if (listed && listed.mode !== SYMLINK) return { entry: listed };
    let pending = path.split('/').filter((s) => s.length > 0);
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const segment = pending.shift()!;
      if (segment === '.') continue;
      if (segment === '..') {
        if (done.length === 0) return { outside: true };
        done.pop();
        continue;
      }
      done.push(segment);
      const entry = entries.get(done.join('/'));
      if (!entry) return {};
      if (entry.mode !== SYMLINK) continue;
      if (++links > MAX_LINKS) return {};
      const target = Buffer.from(await readBlob(entry.object)).toString('utf8');
      if (target.startsWith('/')) return { outside: true };
      done.pop();
      pending = [...target.split('/'), ...pending];
    }
    if (done.length === 0) return { entry: { mode: '040000', type: 'tree', object: '', size: 0 } };
    return { entry: entries.get(done.join('/')) };
  };

  return {
    commit,

    files(): ReadonlyMap<string, string> {
      if (files) return files;
      files = new Map();
      for (const [path, entry] of entries) if (entry.type === 'blob') files.set(path, entry.object);
      return files;
    },

    async listYamlFiles(): Promise<RepoEntry[]> {
      const out: RepoEntry[] = [];
      for (const [path, entry] of entries) {
        if (entry.type === 'blob' && entry.mode !== SYMLINK && /\.ya?ml$/i.test(path)) out.push({ path, size: entry.size, id: entry.object });
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async read(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
      const { entry } = await resolvePath(posix.normalize(path));
      if (!entry) throw new Error(`${path} is not a file at ${ref}`);
      if (entry.type !== 'blob') throw new UnreadableFileError(path, 'NotRegularFile', `${path} is ${entry.type === 'tree' ? 'a directory' : 'a submodule'} at ${ref}, not a regular file`);
      if (options.maxBytes !== undefined && entry.size > options.maxBytes) throw new UnreadableFileError(path, 'TooLarge', tooLargeMessage(path, entry.size, options.maxBytes));
      return readBlob(entry.object);
    },

    async checkPath(path: string): Promise<PathCheck> {
      const { entry, outside } = await resolvePath(path);
      if (outside) return 'outside';
      if (!entry) return 'missing';
      return entry.type === 'tree' ? 'directory' : entry.type === 'blob' ? 'file' : 'special';
    },

    async contentId(path: string): Promise<string | undefined> {
      const { entry } = await resolvePath(posix.normalize(path));
      return entry?.type === 'blob' ? entry.object : undefined;
    },
  };
}

/**
 * The entries of `git ls-tree -r -t -l -z`, by path. Each path and object id is a string of its
 * own, decoded from the listing's bytes, never a slice of the listing's text: a slice keeps the
 * whole text alive (about 90 bytes a file) for as long as anything holds it, and what a load
 * keeps from a commit (the objects of the files it changed, blob ids in the reader's cache)
 * outlives it, so each commit of a long-running controller would keep its listing of the whole
 * repository: 0.9 MB a commit at 10,000 files.
 */
function parseListing(listing: string): Map<string, TreeEntry> {
  const bytes = Buffer.from(listing, 'utf8');
  const entries = new Map<string, TreeEntry>();
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const tab = bytes.indexOf(0x09, start);
    if (tab > start && tab < end) {
      // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`: the size is padded on the left.
      const typeAt = bytes.indexOf(0x20, start) + 1;
      const objectAt = bytes.indexOf(0x20, typeAt) + 1;
      const objectEnd = bytes.indexOf(0x20, objectAt);
      const size = bytes.toString('latin1', objectEnd, tab).trim();
      entries.set(bytes.toString('utf8', tab + 1, end), {
        mode: bytes.toString('latin1', start, typeAt - 1),
        type: bytes.toString('latin1', typeAt, objectAt - 1) as TreeEntry['type'],
        object: bytes.toString('latin1', objectAt, objectEnd),
        size: size === '-' ? 0 : Number(size),
      });
    }
    start = end + 1;
  }
  return entries;
}
