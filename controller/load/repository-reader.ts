import type { PathCheck } from '../core/validate-references.ts';

export interface RepoEntry {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  size: number;
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
}
