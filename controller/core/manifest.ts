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

/**
 * An integration without what only its content hash and its generation read: its selection
 * (entities and functions, most of what it holds), its description, labels, annotations and status.
 */
export type IntegrationHead = Pick<Integration, 'apiVersion' | 'kind'> & {
  metadata: Omit<Integration['metadata'], 'labels' | 'annotations'>;
  spec: Omit<Integration['spec'], 'entities' | 'functions' | 'description'>;
};

/**
 * What a plan reads of every manifest: all of a connection or an environment, an integration's
 * head. A plan with nothing changed reads no more than this of any integration.
 */
export type ManifestHead<M extends Manifest = Manifest> = M extends Integration ? IntegrationHead : M;

/** A manifest's head: an integration's as a copy of its own (the manifest itself when it has nothing more), anything else as it is. */
export function headOf<M extends Manifest>(manifest: M): ManifestHead<M> {
  if (manifest.kind !== 'Integration') return manifest as ManifestHead<M>;
  const { entities: _entities, functions: _functions, description: _description, ...spec } = manifest.spec;
  const { labels: _labels, annotations: _annotations, ...metadata } = manifest.metadata;
  const { status: _status, ...rest } = manifest;
  const head = { ...rest, metadata, spec };
  return (leavesNothingOut(head, manifest) ? manifest : head) as ManifestHead<M>;
}

/** Whether a head left out nothing of its integration. */
function leavesNothingOut(head: { metadata: object; spec: object }, manifest: Integration): boolean {
  return Object.keys(head).length === Object.keys(manifest).length && Object.keys(head.metadata).length === Object.keys(manifest.metadata).length && Object.keys(head.spec).length === Object.keys(manifest.spec).length;
}

/** A manifest that passed its schema, with the way back to where it was written. */
export interface LoadedObject<M extends Manifest = Manifest> {
  /**
   * The whole manifest. For an object the CLI's cache of manifest files kept, read from the cache
   * (and parsed) when first asked for: what reads every object should read `head` instead.
   */
  readonly manifest: M;
  /**
   * The manifest but an integration's selection (ManifestHead): the manifest itself, or, for an
   * object the CLI's cache kept, a copy without it. Validation across objects and the held check of
   * a plan read every object's, and only this, so that a plan with nothing changed parses no
   * selection.
   */
  readonly head: ManifestHead<M>;
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
