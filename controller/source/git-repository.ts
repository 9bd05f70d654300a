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
  const listing = await git.raw(['ls-tree', '-r', '-t', '-l', '-z', commit]);
  const entries = new Map<string, TreeEntry>();
  for (const record of listing.split('\0')) {
    if (record.length === 0) continue;
    const tab = record.indexOf('\t');
    const [mode, type, object, size] = record.slice(0, tab).split(/\s+/);
    entries.set(record.slice(tab + 1), { mode: mode!, type: type as TreeEntry['type'], object: object!, size: size === '-' ? 0 : Number(size) });
  }
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
