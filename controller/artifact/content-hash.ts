import { createHash } from 'node:crypto';
import type { IntegrationSpec } from '../generated/manifests.ts';
import { canonicalJson } from '../core/canonical-json.ts';

export interface HashInput {
  integration: string;
  generator: { system: string; version: string };
  specBytes: Uint8Array;
  spec: IntegrationSpec;
  requires: Record<string, string>;
}

/** How contentHash computes a hash: change it with the computation, so that hashes kept elsewhere (the CLI's cache) are not taken for new ones. */
export const CONTENT_HASH_VERSION = 1;

/**
 * The content address of an artifact: sha256 over the generator and its version, the bytes of
 * the specification, what of the integration's spec shapes the output (system, source and the
 * selection, order-free) and the dependency requirements. Environments, the connection's name
 * and `suspend` do not change what is generated, so they are left out: adding an environment
 * does not force a republish everywhere else.
 */
export function contentHash(input: HashInput): string {
  const specDigest = digestOf(input.specBytes);
  // canonicalJson of { generator, integration, requires, selection, specification }, written
  // member by member in its key order: 10,000 integrations share a handful of generators,
  // selections and requirements, whose canonical text is kept by their plain JSON.
  const text =
    `{"generator":${canonicalOf('g', input.generator, input.generator)}` +
    `,"integration":${JSON.stringify(input.integration)}` +
    `,"requires":${canonicalOf('r', input.requires, input.requires)}` +
    `,"selection":${canonicalOf('s', { s: input.spec.system, d: input.spec.description, o: input.spec.source, e: input.spec.entities, f: input.spec.functions }, input.spec, normalizedSelection)}` +
    `,"specification":${JSON.stringify(`sha256:${specDigest}`)}}`;
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Canonical texts by the plain JSON of what they were made from; cleared when it grows past a bound. */
const canonicalTexts = new Map<string, string>();
const CANONICAL_TEXTS_KEPT = 10_000;

/**
 * The canonical JSON of `of(value)`, kept by `kind` and the plain JSON of `key`, which holds
 * everything `of` reads: equal plain JSON is an equal value (JSON.stringify drops undefined
 * members as canonicalJson does), so an equal canonical text.
 */
function canonicalOf<T>(kind: string, key: unknown, value: T, of: (value: T) => unknown = (v) => v): string {
  const plain = `${kind}${JSON.stringify(key)}`;
  let text = canonicalTexts.get(plain);
  if (text === undefined) {
    if (canonicalTexts.size >= CANONICAL_TEXTS_KEPT) canonicalTexts.clear();
    canonicalTexts.set(plain, (text = canonicalJson(of(value))));
  }
  return text;
}

// Integrations share specifications (every one of them is one array read once per reconcile):
// each is hashed once, not once per integration.
const digests = new WeakMap<Uint8Array, string>();

/** The sha256 of a specification's bytes, in hex; computed once per array. */
export function digestOf(bytes: Uint8Array): string {
  let digest = digests.get(bytes);
  if (digest === undefined) digests.set(bytes, (digest = createHash('sha256').update(bytes).digest('hex')));
  return digest;
}

/** The parts of the spec that shape the artifact, with every list sorted so order never matters. */
export function normalizedSelection(spec: IntegrationSpec): unknown {
  const sorted = (list: readonly string[] | undefined): string[] | undefined => (list ? [...new Set(list)].sort() : undefined);
  const entities = spec.entities
    ? [...spec.entities]
        .map((e) => ({ name: e.name, operations: sorted(e.operations), attributes: sorted(e.attributes) }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : undefined;
  return {
    system: spec.system,
    description: spec.description,
    source: spec.source,
    entities,
    functions: sorted(spec.functions),
  };
}
