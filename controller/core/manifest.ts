import type { Connection, Environment, Integration } from '../generated/manifests.ts';
import type { Position } from '../load/parse-yaml-file.ts';

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
}

/** The validated manifests of one commit, by kind. */
export interface ManifestSet {
  integrations: LoadedObject<Integration>[];
  connections: LoadedObject<Connection>[];
  environments: LoadedObject<Environment>[];
}
