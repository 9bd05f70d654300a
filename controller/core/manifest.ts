import type { Connection, Environment, Integration } from '../generated/manifests.ts';

/** Where something starts in a file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** One YAML document of a file, as plain data plus a way back to its lines. */
export interface YamlDocument {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  value: unknown;
  /** Where the value at `path` starts, or the nearest enclosing value that exists. */
  locate(path: readonly (string | number)[]): Position;
  /** Where the key of the field at `path` starts (for a field that should not be there). */
  locateKey(path: readonly (string | number)[]): Position;
}

export type Manifest = Integration | Connection | Environment;
export type ManifestKind = Manifest['kind'];

/** A manifest that passed its schema, with the way back to where it was written. */
export interface LoadedObject<M extends Manifest = Manifest> {
  manifest: M;
  file: string;
  /** Where the value at a path inside this object starts. */
  locate(path: readonly (string | number)[]): Position;
  /** Where the key of the field at a path starts. */
  locateKey(path: readonly (string | number)[]): Position;
  /**
   * What the object was made from, where the loader knows it by content (the CLI's cache of
   * manifest files): the digest of its file's bytes and the limits they were read within, and its
   * document's place in the file. Equal keys are equal manifests.
   */
  contentKey?: string;
}

/** The validated manifests of one commit, by kind. */
export interface ManifestSet {
  integrations: LoadedObject<Integration>[];
  connections: LoadedObject<Connection>[];
  environments: LoadedObject<Environment>[];
}
