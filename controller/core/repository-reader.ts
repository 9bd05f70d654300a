/** What a repository-relative path is: a file, nothing, a directory, or a link that leaves the repository. */
export type PathCheck = 'file' | 'missing' | 'directory' | 'outside';

export interface RepoEntry {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  size: number;
  /**
   * The content address of the file where the reader knows one (a Git blob id): equal ids mean
   * equal bytes, so a loader may reuse what it made of the file before without reading it.
   */
  id?: string;
}

/**
 * What the loader needs of a repository: a directory on disk or one commit of a Git repository.
 * Paths are repository-relative with forward slashes.
 */
export interface RepositoryReader {
  /** Every `*.yaml` and `*.yml` file, sorted by path. */
  listYamlFiles(): Promise<RepoEntry[]>;
  read(path: string): Promise<Uint8Array>;
  /** What a normalized repository-relative path is, following symbolic links. */
  checkPath(path: string): Promise<PathCheck>;
  /**
   * The content address of the file a path leads to (following symbolic links), where the reader
   * knows one; undefined when it does not, or when the path is not a file.
   */
  contentId?(path: string): Promise<string | undefined>;
}
