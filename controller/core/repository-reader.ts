/**
 * What a repository-relative path is: a regular file, nothing, a directory, a link that leaves the
 * repository, or something else (a named pipe, a socket, a device, a submodule) that is never read.
 */
export type PathCheck = 'file' | 'missing' | 'directory' | 'outside' | 'special';

export interface ReadOptions {
  /** Refuse (UnreadableFileError, TooLarge) a file over this many bytes, before reading any of it. */
  maxBytes?: number;
}

/**
 * A read refused before any byte was read: the path is not a regular file (reading a named pipe
 * would wait forever), or the file is over the size limit asked for. The message is the user's.
 */
export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    readonly why: 'TooLarge' | 'NotRegularFile',
    message: string,
  ) {
    super(message);
  }
}

/** The message of a file refused for its size: the same whichever reader refused it. */
export function tooLargeMessage(path: string, size: number, maxBytes: number): string {
  return `${path} is ${size} bytes, over the limit of ${maxBytes} bytes for a specification (--max-spec-size); it was not read`;
}

export interface RepoEntry {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  size: number;
  /**
   * The content address of the file where the reader knows one (a Git blob id): equal ids mean
   * equal bytes, so a loader may reuse what it made of the file before without reading it.
   */
  id?: string;
  /**
   * What the file system says of the file (device, inode, size, modification and change times),
   * where the reader knows it and the file was last changed long enough ago to be trusted: as Git's
   * index does, a loader may take an unchanged stamp for unchanged bytes. Not an address: it is
   * only ever compared with an earlier stamp of the same path.
   */
  stamp?: string;
}

/**
 * What the loader needs of a repository: a directory on disk or one commit of a Git repository.
 * Paths are repository-relative with forward slashes.
 */
export interface RepositoryReader {
  /** Every `*.yaml` and `*.yml` file, sorted by path. */
  listYamlFiles(): Promise<RepoEntry[]>;
  /** The bytes of a regular file; rejects with UnreadableFileError for anything else, or one over `maxBytes`. */
  read(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** What a normalized repository-relative path is, following symbolic links. */
  checkPath(path: string): Promise<PathCheck>;
  /**
   * The content address of the file a path leads to (following symbolic links), where the reader
   * knows one; undefined when it does not, or when the path is not a file.
   */
  contentId?(path: string): Promise<string | undefined>;
  /**
   * `read` without waiting, where the reader can (a directory on disk): for a loader that took a
   * file's objects by its stamp and reads the text only if a problem asks where something is.
   */
  readNow?(path: string, options?: ReadOptions): Uint8Array;
}
