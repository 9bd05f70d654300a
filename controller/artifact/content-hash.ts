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

/**
 * The content address of an artifact: sha256 over the generator and its version, the bytes of
 * the specification, what of the integration's spec shapes the output (system, source and the
 * selection, order-free) and the dependency requirements. Environments, the connection's name
 * and `suspend` do not change what is generated, so they are left out: adding an environment
 * does not force a republish everywhere else.
 */
export function contentHash(input: HashInput): string {
  const specDigest = digestOf(input.specBytes);
  const text = canonicalJson({
    integration: input.integration,
    generator: input.generator,
    specification: `sha256:${specDigest}`,
    selection: normalizedSelection(input.spec),
    requires: input.requires,
  });
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
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
