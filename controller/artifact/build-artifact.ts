import { createHash } from 'node:crypto';
import type { AuthType, DependencyPins, Integration, SystemKind } from '../generated/manifests.ts';
import { failed, ok, type Generator, type Result, type SpecProblem } from '../generators/generator.ts';
import { GENERATORS } from '../generators/registry.ts';
import type { SpecModels } from '../generators/spec-models.ts';
import type { ActionCatalog } from '../core/catalog.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { normalizeLineEndings } from '../core/text-encoding.ts';
import { checkCatalogCompiles } from './compile-catalog.ts';
import { CONTENT_HASH_VERSION, contentHash, digestOf } from './content-hash.ts';
import { renderDeclarations } from './declarations.ts';
import { computeRequirements } from './dependencies.ts';
import { DEFAULT_DEPENDENCIES } from '../core/dependencies.ts';
import type { GenerationCache } from './generation-cache.ts';
import { generateShared, generationKey, isStampable, stampGeneration, type SharedGeneration } from './shared-generation.ts';

/** A generated integration: its catalog, declarations, dependency ranges and content hash. */
export interface Artifact {
  integration: string;
  system: SystemKind;
  generator: { system: SystemKind; version: string };
  /** `sha256:<64 hex>` over the inputs (see contentHash). */
  hash: string;
  catalog: ActionCatalog;
  declarations: string;
  /** Shared dependency -> semver range. */
  requires: Record<string, string>;
  /** What generation read in spite of the specification (a fault outside the selection); not in any file, nor in the hash. */
  warnings?: SpecProblem[];
}

export interface BuildInput {
  integration: Integration;
  specBytes: Uint8Array;
  /** Repository-relative path of the specification. */
  specPath: string;
  /** The pins of the environment the artifact is for; DEFAULT_DEPENDENCIES fill the gaps. */
  pins?: DependencyPins;
  /** The auth type of the connection the integration binds to in that environment. */
  authType?: AuthType;
}

/**
 * Artifacts already generated, by content hash. The hash covers every input of generation, so an
 * entry is valid for as long as it is kept: a Map will do, or any cache that bounds its size.
 * With `generations`, integrations that differ only in their names share one generation, and
 * each artifact is stamped from it (see shared-generation.ts).
 */
export interface ArtifactCache {
  get(hash: string): Artifact | undefined;
  set(hash: string, artifact: Artifact): void;
  generations?: GenerationCache;
}

/** What an artifact will be, known before generating it: the generator, the pins, the requirements and the content hash. */
export interface ArtifactIdentity {
  generator: Generator;
  pins: DependencyPins;
  requires: Record<string, string>;
  hash: string;
  /** The specification as it is hashed and parsed: CRLF line endings read as LF. */
  specBytes: Uint8Array;
}

// One specification read serves every integration generated from it: its line endings are
// normalised once (the same array comes back, so its hash is computed once too).
const normalizedSpecs = new WeakMap<Uint8Array, Uint8Array>();

function normalized(bytes: Uint8Array): Uint8Array {
  let out = normalizedSpecs.get(bytes);
  if (out === undefined) normalizedSpecs.set(bytes, (out = normalizeLineEndings(bytes)));
  return out;
}

/**
 * Content hashes and requirements kept by a caller that has no process to keep manifest objects
 * in (the CLI, in its cache directory), by a key naming every input of the hash (StoreKey).
 */
export interface IdentityStore {
  get(key: StoreKey): { hash: string; requires: Record<string, string> } | undefined;
  set(key: StoreKey, identity: { hash: string; requires: Record<string, string> }): void;
}

/**
 * The key of an identity in an IdentityStore: the manifest's content key (LoadedObject.contentKey:
 * its file's digest, `#`, its document), so a store can tell which file an entry is of; and the
 * other inputs of the hash (the generator's version, the specification's digest, the auth type, the
 * pins), one string for every integration of a specification in an environment.
 */
export interface StoreKey {
  manifest: string;
  inputs: string;
}

/** What an identity's key reads of an input besides the manifest's content key: its system, not the whole manifest. */
export type KeyInput = Omit<BuildInput, 'integration' | 'specPath'> & { system: SystemKind };

/** The inputs part of an identity's key (StoreKey.inputs); undefined when no generator takes the system. */
export function identityInputs(input: KeyInput): string | undefined {
  const generator = GENERATORS[input.system];
  if (!generator) return undefined;
  const { digest, authType, pins } = identityKeyOf(input, normalized(input.specBytes));
  return `${generator.system}@${generator.version}|${digest}|${authType}|${pins}|${CONTENT_HASH_VERSION}`;
}

/**
 * The identity of the artifact an input gives, for the price of hashing the specification: an
 * environment that already holds an artifact of this hash needs no generation at all. A manifest
 * object loaded once and kept (the controller's cache of files keeps unchanged ones) costs the
 * hash once: its identity is kept with it, for as long as its specification, pins and auth type
 * stay, one for each of a few environments that pin dependencies differently (each environment's
 * reconcile, and each pull request's plan of it, would otherwise hash every integration again).
 */
export function artifactIdentity(input: BuildInput): Result<ArtifactIdentity> {
  const { integration } = input;
  const generator = GENERATORS[integration.spec.system];
  if (!generator) return failed([{ reason: 'SpecificationInvalid', pointer: '', field: ['spec', 'system'], message: `no generator for system ${integration.spec.system}` }]);
  // CRLF and LF files are one specification: hashed and parsed alike (docs/architecture.md).
  const specBytes = normalized(input.specBytes);
  // Compared part by part rather than joined into one key: each part is a string kept from the
  // last time (the digest by specification, the pins' key by pins object), so equal is the same.
  const key = identityKeyOf(input, specBytes);
  // Only a manifest nobody can change (loaded manifests are frozen) may keep what was derived from it.
  const keep = Object.isFrozen(integration) && Object.isFrozen(integration.spec);
  const kept = keep ? identities.get(integration) : undefined;
  const known = kept?.find((k) => k.key.digest === key.digest && k.key.authType === key.authType && k.key.pins === key.pins);
  if (known) return ok({ generator, ...known.identity, specBytes });
  const pins: DependencyPins = { ...DEFAULT_DEPENDENCIES, ...input.pins };
  const requires = computeRequirements({ runtime: generator.runtime, authType: input.authType, pins });
  const hash = contentHash({ integration: integration.metadata.name, generator: { system: generator.system, version: generator.version }, specBytes, spec: integration.spec, requires });
  if (keep) identities.set(integration, [{ key, identity: { pins, requires, hash } }, ...(kept ?? [])].slice(0, IDENTITIES_PER_MANIFEST));
  return ok({ generator, pins, requires, hash, specBytes });
}

/** What an identity depends on besides the manifest and the generator: the specification's digest, the auth type and the pins. */
interface IdentityKey {
  digest: string;
  authType: string;
  pins: string;
}

function identityKeyOf(input: Pick<BuildInput, 'authType' | 'pins'>, specBytes: Uint8Array): IdentityKey {
  return { digest: digestOf(specBytes), authType: input.authType ?? '', pins: pinsKey(input.pins) };
}

/** Identities kept per manifest, the newest first: one per environment setting (pins, auth type) it is built for, a few at most. */
const IDENTITIES_PER_MANIFEST = 4;
const identities = new WeakMap<BuildInput['integration'], Array<{ key: IdentityKey; identity: Pick<ArtifactIdentity, 'pins' | 'requires' | 'hash'> }>>();
const pinKeys = new WeakMap<object, string>();

/** The pins as a key: one environment's pins are one object for all its integrations. */
function pinsKey(pins: BuildInput['pins']): string {
  if (pins === undefined) return '';
  let key = pinKeys.get(pins);
  if (key === undefined) pinKeys.set(pins, (key = canonicalJson(pins)));
  return key;
}

/**
 * Generates the artifact of one integration for one environment. Problems (no generator for the
 * system, a specification the generator cannot read, a selection it does not offer) come back as
 * values, each naming the path in the specification and, for selections, the manifest field. A
 * catalog the action runtime could not compile is one of them: nothing is published that cannot run.
 * Warnings (a fault of the specification outside the selection) come with the artifact.
 * The content hash is known before generating, so with a cache unchanged inputs cost a hash;
 * the specification is parsed through `models`, so integrations and environments that share it
 * (and the validation before them) parse it once. With the cache's `generations`, integrations
 * that share the specification, the selection and the requirements are generated once and
 * stamped with their names, with the same bytes as generating each.
 */
export async function buildArtifact(input: BuildInput, cache?: ArtifactCache, models?: SpecModels): Promise<Result<Artifact>> {
  const identity = artifactIdentity(input);
  if (!identity.ok) return identity;
  const { generator, pins, requires, hash, specBytes } = identity.value;
  const cached = cache?.get(hash);
  if (cached) return ok(cached, cached.warnings);
  const { integration } = input;
  const name = integration.metadata.name;
  const parse = (): Promise<Result<unknown>> => (models ? models.model(generator, specBytes, integration.spec.source) : generator.parse(specBytes, integration.spec.source));
  const generateInput = { spec: integration.spec, specPath: input.specPath, dependencies: pins };
  let generated: { catalog: ActionCatalog; declarations: string; warnings?: SpecProblem[] } | undefined;
  // Shared only through a cache of generations: without one, there is nobody to share with, and
  // generating under the placeholder would only add the check that stamping is exact.
  const generations = cache?.generations;
  if (generations && isStampable(name)) {
    const key = generationKey({ generator: { system: generator.system, version: generator.version }, specBytes, specPath: input.specPath, spec: integration.spec, requires });
    const make = async (): Promise<SharedGeneration | undefined> => {
      const model = await parse();
      return model.ok ? generateShared(generator, model.value, generateInput) : undefined;
    };
    const shared = await generations.obtain(key, make);
    if (shared) generated = stampGeneration(shared, name);
  }
  if (!generated) {
    // Not shareable (a name stamping is not exact for, or a generation that failed): generated for this name, as it always was.
    const catalog = await generateCatalog(parse, (model) => generator.generate(model, { name, ...generateInput }));
    if (!catalog.ok) return catalog;
    generated = { catalog: catalog.value, declarations: await renderDeclarations(catalog.value), ...(catalog.warnings ? { warnings: catalog.warnings } : {}) };
  }
  const warnings = generated.warnings ?? [];
  const artifact: Artifact = {
    integration: name,
    system: generator.system,
    generator: { system: generator.system, version: generator.version },
    hash,
    catalog: generated.catalog,
    declarations: generated.declarations,
    requires,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  cache?.set(hash, artifact);
  return ok(artifact, warnings);
}

/**
 * The catalog of a model, checked to compile in the runtime. A function of its own, so that the
 * model (a parsed document, often the largest thing generation holds) is not kept alive while
 * the declarations are rendered, unless a cache of models keeps it.
 */
async function generateCatalog(parse: () => Promise<Result<unknown>>, generate: (model: unknown) => Result<ActionCatalog>): Promise<Result<ActionCatalog>> {
  const model = await parse();
  if (!model.ok) return model;
  const catalog = generate(model.value);
  if (!catalog.ok) return catalog;
  const uncompilable = checkCatalogCompiles(catalog.value);
  return uncompilable.length > 0 ? failed(uncompilable) : catalog;
}

/**
 * The files of an artifact, for a person to read or a driver to publish: `catalog.json` (canonical
 * JSON, keys sorted), `index.d.ts`, and `artifact.json` (identity, hash, requirements and the
 * digest of each file). The same artifact always gives the same bytes.
 */
export function renderArtifactFiles(artifact: Artifact): Record<string, string> {
  const catalog = canonicalJson(artifact.catalog, 2);
  const digest = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const manifest = canonicalJson(
    {
      integration: artifact.integration,
      system: artifact.system,
      generator: artifact.generator,
      hash: artifact.hash,
      requires: artifact.requires,
      files: { 'catalog.json': digest(catalog), 'index.d.ts': digest(artifact.declarations) },
    },
    2,
  );
  return { 'artifact.json': manifest, 'catalog.json': catalog, 'index.d.ts': artifact.declarations };
}
