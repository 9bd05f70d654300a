import { artifactIdentity, buildArtifact, identityInputs, type ArtifactCache, type BuildInput, type IdentityStore, type KeyInput, type StoreKey } from '../../artifact/build-artifact.ts';
import { createSpecModels, type SpecModels } from '../../generators/spec-models.ts';
import { DEFAULT_DEPENDENCIES, type DependencyName } from '../../core/dependencies.ts';
import type { IntegrationHead, LoadedObject, ManifestSet } from '../../core/manifest.ts';
import type { DesiredState } from '../../core/plan.ts';
import type { Problem } from '../../core/problem.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';
import { byName, type ConnectionRecord, type PublishedIntegration } from '../../core/environment-state.ts';
import type { Environment, Integration } from '../../generated/manifests.ts';
import { toProblem } from '../../validate/validate-selections.ts';
import type { RepositoryReader } from '../../core/repository-reader.ts';
import { toConnectionRecord } from '../../secrets/to-connection-record.ts';

export interface DesiredStateOptions {
  /**
   * What the environment holds: an integration whose content hash equals the published one is
   * taken from there, not generated (the hash is computed from the inputs, so equal hashes mean
   * equal artifacts).
   */
  published?: readonly PublishedIntegration[];
  /** Called after each integration, with how many of how many are done: for a progress line. */
  progress?: (done: number, total: number) => void;
  /** The specifications read so far in this reconcile, by path: shared with heldIntegrationNames, so each is read once. */
  specifications?: SpecificationReads;
  /** Content hashes kept across runs (see LoadedManifests.identities). */
  identities?: IdentityStore;
}

/** Specifications being read or read, by repository path. */
export type SpecificationReads = Map<string, Promise<Uint8Array>>;

export interface EnvironmentKeys {
  publicKey: string;
  fingerprintKey: string;
}

/**
 * What Git wants in one environment: its pinned dependencies (the built-in defaults where it pins
 * none), an artifact per integration that targets it, generated for those dependencies, and a
 * record per connection defined for it, with plain secrets sealed to its key. Problems of any
 * integration make the whole desired state unusable, so nothing half-generated is applied. With
 * an artifact cache, integrations whose inputs did not change are not generated again; with
 * `models`, a specification parsed before (by validation, or for another environment) is not
 * parsed again, and without, each is parsed once for this environment. With what the environment
 * already holds (`options.published`), an integration whose inputs did not change costs a hash.
 */
export async function buildDesiredState(
  set: ManifestSet,
  environment: LoadedObject<Environment>,
  reader: RepositoryReader,
  keys: EnvironmentKeys,
  commit: string,
  artifactCache?: ArtifactCache,
  models: SpecModels = createSpecModels(),
  options: DesiredStateOptions = {},
): Promise<{ state: DesiredState; problems: Problem[] }> {
  const name = environment.manifest.metadata.name;
  const pins = { ...DEFAULT_DEPENDENCIES, ...environment.manifest.spec.dependencies };
  const problems: Problem[] = [];

  const connections: ConnectionRecord[] = [];
  const authTypes = new Map<string, string>();
  for (const object of set.connections) {
    const connection = object.manifest;
    if (!connection.spec.environments[name]) continue;
    authTypes.set(connection.metadata.name, connection.spec.auth.type);
    const built = toConnectionRecord(connection, name, keys.publicKey, keys.fingerprintKey);
    if (!built.ok) {
      problems.push({
        file: object.file,
        ...object.locate(['spec', 'environments', name]),
        severity: 'error',
        reason: 'SpecificationInvalid',
        field: `spec.environments.${name}`,
        message: `cannot prepare the connection for ${name}: ${built.reason}`,
        object: { kind: 'Connection', name: connection.metadata.name },
      });
      continue;
    }
    connections.push(built.record);
  }

  const published = byName(options.published ?? []);
  const targets = targetsOf(set, name);
  const inputs = await readInputs(environment, reader, targets, pins, authTypes, options.specifications, options.identities);
  const integrations: PublishedIntegration[] = [];
  for (let index = 0; index < targets.length; index++) {
    const object = targets[index]!;
    const current = published.get(object.head.metadata.name);
    const identity = current && inputs.identity(object);
    if (current && identity?.hash === current.artifactHash) {
      // Held: the artifact these inputs give is the one the environment has.
      integrations.push(new DesiredIntegration(object.head, current.artifactHash, identity.requires, current, commit));
      options.progress?.(index + 1, targets.length);
      continue;
    }
    const artifact = await buildArtifact(inputs.input(object), artifactCache, models);
    options.progress?.(index + 1, targets.length);
    if (!artifact.ok) {
      for (const p of artifact.problems) problems.push(toProblem(object, p));
      continue;
    }
    const value = artifact.value;
    // Its content hash, kept with the others: the next plan finds it as if a plan had computed it.
    inputs.remember(object, value);
    integrations.push(new DesiredIntegration(object.head, value.hash, value.requires, value, commit));
  }

  return { state: { environment: name, dependencies: pins, integrations, connections }, problems };
}

/**
 * The integrations targeting the environment that it already holds at the content hash their
 * inputs give now: an artifact generated from these very inputs, so neither generating nor
 * checking their selections again can find anything new.
 */
export async function heldIntegrationNames(
  set: ManifestSet,
  environment: LoadedObject<Environment>,
  reader: RepositoryReader,
  published: readonly PublishedIntegration[],
  specifications: SpecificationReads = new Map(),
  identities?: IdentityStore,
): Promise<Set<string>> {
  const name = environment.manifest.metadata.name;
  const pins = { ...DEFAULT_DEPENDENCIES, ...environment.manifest.spec.dependencies };
  const authTypes = new Map<string, string>();
  for (const object of set.connections) {
    if (object.manifest.spec.environments[name]) authTypes.set(object.manifest.metadata.name, object.manifest.spec.auth.type);
  }
  const current = byName(published);
  const targets = targetsOf(set, name);
  const inputs = await readInputs(environment, reader, targets, pins, authTypes, specifications, identities);
  const held = new Set<string>();
  for (const object of targets) {
    const integration = current.get(object.head.metadata.name);
    if (integration && inputs.identity(object)?.hash === integration.artifactHash) held.add(integration.name);
  }
  return held;
}

/** The integrations of the set that target the environment and are not suspended. */
function targetsOf(set: ManifestSet, environment: string): LoadedObject<Integration>[] {
  return set.integrations.filter((object) => object.head.spec.environments.includes(environment) && !object.head.spec.suspend);
}

/** The inputs of the integrations targeting one environment, with the content hash each gives. */
interface Inputs {
  /** The generation input of an integration. */
  input(object: LoadedObject<Integration>): BuildInput;
  /** The content hash and requirements the integration's inputs give; undefined when no generator takes them. */
  identity(object: LoadedObject<Integration>): KnownIdentity | undefined;
  /** Keeps the content hash and requirements an artifact generated from the integration's inputs has (buildArtifact hashes them as artifactIdentity does). */
  remember(object: LoadedObject<Integration>, artifact: { hash: string; requires: Record<string, string> }): void;
}

/**
 * What an environment's desired state last found each integration's artifact to be, by the
 * integration's manifest object, for as long as the environment's manifest object lives: the
 * load keeps the objects of unchanged files from commit to commit, and an environment's object
 * fixes its pins, so an integration whose specification (the same bytes: blobs are read through
 * a cache by id) and connection's auth type are unchanged too has the content hash found last
 * time, without hashing or comparing its inputs again. A one-file commit costs each environment
 * a few lookups per integration.
 */
interface KnownIdentity {
  readonly specPath: string | undefined;
  readonly specBytes: Uint8Array;
  readonly authType: string | undefined;
  readonly hash: string;
  readonly requires: Record<string, string>;
}
const knownIdentities = new WeakMap<LoadedObject<Environment>, WeakMap<LoadedObject<Integration>, KnownIdentity>>();

/**
 * Reads the specifications the targets name, each once (integrations share them, and so do the
 * steps of one reconcile through `specifications`), so that inputs are then made without waiting.
 */
async function readInputs(
  environment: LoadedObject<Environment>,
  reader: RepositoryReader,
  targets: readonly LoadedObject<Integration>[],
  pins: BuildInput['pins'],
  authTypes: ReadonlyMap<string, string>,
  specifications: SpecificationReads = new Map(),
  store?: IdentityStore,
): Promise<Inputs> {
  // Only an environment nobody can change (loaded manifests are frozen) fixes its pins for good.
  let identities = knownIdentities.get(environment);
  if (!identities) {
    identities = new WeakMap();
    if (Object.isFrozen(environment.manifest) && Object.isFrozen(environment.manifest.spec)) knownIdentities.set(environment, identities);
  }
  const known = identities;
  const reading = new Map<string, Promise<Uint8Array>>();
  for (const object of targets) {
    const path = known.get(object)?.specPath ?? specPathOf(object);
    if (path === undefined || reading.has(path)) continue;
    let read = specifications.get(path);
    if (!read) specifications.set(path, (read = reader.read(path)));
    reading.set(path, read);
  }
  const read = new Map<string, Uint8Array>();
  for (const [path, bytes] of reading) read.set(path, await bytes);
  const specBytesAt = (path: string | undefined): Uint8Array => (path === undefined ? NO_SPECIFICATION : read.get(path)!);

  const input = (object: LoadedObject<Integration>): BuildInput => {
    const integration = object.manifest;
    const specPath = specPathOf(object);
    const authType = authTypes.get(integration.spec.connection);
    return { integration, specBytes: specBytesAt(specPath), specPath: specPath ?? '', pins, ...(authType ? { authType: authType as never } : {}) };
  };
  // What the key of an identity reads: the head, not the whole manifest (which a store's key names by its content key).
  const keyInput = (object: LoadedObject<Integration>): KeyInput => {
    const specPath = specPathOf(object);
    const authType = authTypes.get(object.head.spec.connection);
    return { system: object.head.spec.system, specBytes: specBytesAt(specPath), pins, ...(authType ? { authType: authType as never } : {}) };
  };
  // The inputs part of a store's key, once per specification, system and auth type: the same string for each integration that shares them.
  const inputsKeys = new Map<Uint8Array, Map<string, string | undefined>>();
  const storeKey = (object: LoadedObject<Integration>, keyed: KeyInput): StoreKey | undefined => {
    if (!store || object.contentKey === undefined) return undefined;
    let bySetting = inputsKeys.get(keyed.specBytes);
    if (!bySetting) inputsKeys.set(keyed.specBytes, (bySetting = new Map()));
    const setting = `${keyed.system} ${keyed.authType ?? ''}`;
    if (!bySetting.has(setting)) bySetting.set(setting, identityInputs(keyed));
    const inputs = bySetting.get(setting);
    return inputs === undefined ? undefined : { manifest: object.contentKey, inputs };
  };
  const identity = (object: LoadedObject<Integration>): KnownIdentity | undefined => {
    const kept = known.get(object);
    if (kept && kept.specBytes === specBytesAt(kept.specPath) && kept.authType === authTypes.get(object.head.spec.connection)) return kept;
    const keyed = keyInput(object);
    const key = storeKey(object, keyed);
    let found = key === undefined ? undefined : store!.get(key);
    if (!found) {
      const computed = artifactIdentity(input(object));
      if (!computed.ok) return undefined;
      found = { hash: computed.value.hash, requires: computed.value.requires };
      if (key !== undefined) store!.set(key, found);
    }
    const identity: KnownIdentity = { specPath: specPathOf(object), specBytes: keyed.specBytes, authType: keyed.authType, hash: found.hash, requires: found.requires };
    // Only a manifest nobody can change (loaded manifests are frozen) may keep what was derived from it.
    if (Object.isFrozen(object.head) && Object.isFrozen(object.head.spec)) known.set(object, identity);
    return identity;
  };
  const remember = (object: LoadedObject<Integration>, artifact: { hash: string; requires: Record<string, string> }): void => {
    const key = storeKey(object, keyInput(object));
    if (key !== undefined && store!.get(key)?.hash !== artifact.hash) store!.set(key, { hash: artifact.hash, requires: artifact.requires });
  };
  return { input, identity, remember };
}

const NO_SPECIFICATION = new Uint8Array();

function specPathOf(object: LoadedObject<Integration>): string | undefined {
  const path = object.head.spec.source.path;
  return path === undefined ? undefined : normalizeRepoPath(path);
}

/**
 * An integration as Git wants it in an environment. Its catalog is read through, from the
 * artifact or from what the environment holds (parsed only if something reads it: a plan with
 * nothing to do reads none), by a getter of the class: an object literal with a getter of its
 * own costs ten times as much to make, and a reconcile makes one per integration. `toJSON` writes
 * the catalog as a member, as it was.
 */
class DesiredIntegration implements PublishedIntegration {
  readonly name: string;
  readonly version: string;
  readonly system: string;
  readonly connection: string;
  readonly #source: { readonly catalog: unknown };

  constructor(
    integration: IntegrationHead,
    readonly artifactHash: string,
    readonly requires: Partial<Record<DependencyName, string>>,
    source: { readonly catalog: unknown },
    readonly commit: string,
  ) {
    this.name = integration.metadata.name;
    this.version = artifactHash.slice('sha256:'.length, 'sha256:'.length + 12);
    this.system = integration.spec.system;
    this.connection = integration.spec.connection;
    this.#source = source;
  }

  get catalog(): unknown {
    return this.#source.catalog;
  }

  toJSON(): PublishedIntegration {
    const { name, version, artifactHash, system, catalog, requires, connection, commit } = this;
    return { name, version, artifactHash, system, catalog, requires, connection, commit };
  }
}
