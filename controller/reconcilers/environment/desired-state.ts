import { artifactIdentity, buildArtifact, type ArtifactCache, type BuildInput } from '../../artifact/build-artifact.ts';
import { createSpecModels, type SpecModels } from '../../generators/spec-models.ts';
import { DEFAULT_DEPENDENCIES, type DependencyName } from '../../core/dependencies.ts';
import type { LoadedObject, ManifestSet } from '../../core/manifest.ts';
import type { DesiredState } from '../../core/plan.ts';
import type { Problem } from '../../core/problem.ts';
import { normalizeRepoPath } from '../../core/repo-path.ts';
import type { ConnectionRecord, PublishedIntegration } from '../../core/environment-state.ts';
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

  const published = new Map((options.published ?? []).map((i) => [i.name, i]));
  const inputOf = buildInputs(reader, pins, authTypes, options.specifications);
  const targets = targetsOf(set, name);
  const integrations: PublishedIntegration[] = [];
  for (const [index, object] of targets.entries()) {
    const integration = object.manifest;
    const input = await inputOf(object);
    const held = heldArtifact(input, published.get(integration.metadata.name));
    const artifact = held ?? (await buildArtifact(input, artifactCache, models));
    options.progress?.(index + 1, targets.length);
    if (!artifact.ok) {
      for (const p of artifact.problems) problems.push(toProblem(object, p));
      continue;
    }
    const value = artifact.value;
    integrations.push({
      name: integration.metadata.name,
      version: value.hash.slice('sha256:'.length, 'sha256:'.length + 12),
      artifactHash: value.hash,
      system: integration.spec.system,
      // Read through: a held artifact's catalog is parsed only if something reads it (a plan with
      // nothing to do reads none).
      get catalog(): unknown {
        return value.catalog;
      },
      requires: value.requires as Partial<Record<DependencyName, string>>,
      connection: integration.spec.connection,
      commit,
    });
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
): Promise<Set<string>> {
  const name = environment.manifest.metadata.name;
  const pins = { ...DEFAULT_DEPENDENCIES, ...environment.manifest.spec.dependencies };
  const authTypes = new Map<string, string>();
  for (const object of set.connections) {
    if (object.manifest.spec.environments[name]) authTypes.set(object.manifest.metadata.name, object.manifest.spec.auth.type);
  }
  const byName = new Map(published.map((i) => [i.name, i]));
  const inputOf = buildInputs(reader, pins, authTypes, specifications);
  const held = new Set<string>();
  for (const object of targetsOf(set, name)) {
    const integration = byName.get(object.manifest.metadata.name);
    if (integration && heldArtifact(await inputOf(object), integration)) held.add(integration.name);
  }
  return held;
}

/** The integrations of the set that target the environment and are not suspended. */
function targetsOf(set: ManifestSet, environment: string): LoadedObject<Integration>[] {
  return set.integrations.filter((object) => object.manifest.spec.environments.includes(environment) && !object.manifest.spec.suspend);
}

/** The generation input of each integration, reading each specification once (integrations share them). */
function buildInputs(
  reader: RepositoryReader,
  pins: BuildInput['pins'],
  authTypes: ReadonlyMap<string, string>,
  specifications: SpecificationReads = new Map(),
): (object: LoadedObject<Integration>) => Promise<BuildInput> {
  const readSpecification = (path: string): Promise<Uint8Array> => {
    let reading = specifications.get(path);
    if (!reading) specifications.set(path, (reading = reader.read(path)));
    return reading;
  };
  return async (object) => {
    const integration = object.manifest;
    const specPath = integration.spec.source.path === undefined ? undefined : normalizeRepoPath(integration.spec.source.path);
    const specBytes = specPath === undefined ? new Uint8Array() : await readSpecification(specPath);
    const authType = authTypes.get(integration.spec.connection);
    return { integration, specBytes, specPath: specPath ?? '', pins, ...(authType ? { authType: authType as never } : {}) };
  };
}

/** The artifact the environment holds for the integration, when its content hash is the one these inputs give. */
function heldArtifact(input: BuildInput, held: PublishedIntegration | undefined): { ok: true; value: { hash: string; catalog: unknown; requires: Record<string, string> } } | undefined {
  if (held === undefined) return undefined;
  const identity = artifactIdentity(input);
  if (!identity.ok || identity.value.hash !== held.artifactHash) return undefined;
  return {
    ok: true,
    value: {
      hash: held.artifactHash,
      get catalog(): unknown {
        return held.catalog;
      },
      requires: identity.value.requires,
    },
  };
}
