import { createHash } from 'node:crypto';
import type { ActionCatalog } from '../core/catalog.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import type { IntegrationSpec } from '../generated/manifests.ts';
import type { Generator, SpecProblem } from '../generators/generator.ts';
import { checkCatalogCompiles } from './compile-catalog.ts';
import { renderDeclarations } from './declarations.ts';

/**
 * What generation makes of a specification and a selection before an integration's name is put
 * in: the catalog, generated under PLACEHOLDER_NAME, and the declarations split at the one place
 * the name appears. Every integration that shares the specification, the selection and the
 * requirements shares one; stampGeneration makes its artifact for one name in a string
 * concatenation, with the same bytes as generating for that name.
 */
export interface SharedGeneration {
  catalog: ActionCatalog;
  /** The declarations before and after the integration's name. */
  declarations: [before: string, after: string];
  /** Faults of the specification outside the selection: about the specification, never the name. */
  warnings?: SpecProblem[];
}

/**
 * The name generation runs under. A lowercase DNS label, as every integration name is, so the
 * generators and the declaration compiler treat it as they treat a real one; what it produces is
 * accepted only when the placeholder appears exactly where the name goes (see shareable).
 */
export const PLACEHOLDER_NAME = 'intctl-shared-generation-4f1c9a7e2b';

/** The names stamping is exact for: DNS labels, which the declaration compiler copies into a comment verbatim. */
const STAMPABLE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface GenerationKeyInput {
  generator: { system: string; version: string };
  specBytes: Uint8Array;
  specPath: string;
  spec: IntegrationSpec;
  requires: Record<string, string>;
}

/**
 * The content address of a shared generation: everything `generate` and `renderDeclarations`
 * read except the integration's name. The selection is kept in the order written (a problem's
 * field path counts list positions), and the parts of the spec that the content hash leaves out
 * because they do not shape the output (connection, environments, suspend) are left out here too.
 */
export function generationKey(input: GenerationKeyInput): string {
  const { connection: _connection, environments: _environments, suspend: _suspend, ...shaping } = input.spec;
  const text = canonicalJson({
    generator: input.generator,
    specification: `sha256:${createHash('sha256').update(input.specBytes).digest('hex')}`,
    specPath: input.specPath,
    spec: shaping,
    requires: input.requires,
  });
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Whether an artifact for `name` can be stamped from a shared generation with the same bytes as generating it. */
export function isStampable(name: string): boolean {
  return STAMPABLE_NAME.test(name);
}

/**
 * Generates the name-free part once. Undefined when the generation cannot be shared: the
 * generator failed or gave a catalog the runtime could not compile (the problems are reported per
 * integration, by generating for it), or the
 * placeholder shows up anywhere but the catalog's `integration` and one place in the
 * declarations (a generator that put the name somewhere else, or a specification that happens to
 * contain the placeholder). The caller then generates for the integration's own name.
 */
export async function generateShared<M>(generator: Generator<M>, model: M, input: { spec: IntegrationSpec; specPath: string; dependencies: Parameters<Generator['generate']>[1]['dependencies'] }): Promise<SharedGeneration | undefined> {
  const catalog = generator.generate(model, { name: PLACEHOLDER_NAME, spec: input.spec, specPath: input.specPath, dependencies: input.dependencies });
  if (!catalog.ok || checkCatalogCompiles(catalog.value).length > 0) return undefined;
  const shared = shareable(catalog.value, await renderDeclarations(catalog.value));
  return shared && catalog.warnings ? { ...shared, warnings: catalog.warnings } : shared;
}

/** The shared generation of a catalog and its declarations, when the placeholder is only where the name goes. */
export function shareable(catalog: ActionCatalog, declarations: string): SharedGeneration | undefined {
  if (catalog.integration !== PLACEHOLDER_NAME) return undefined;
  if (canonicalJson({ ...catalog, integration: '' }).includes(PLACEHOLDER_NAME)) return undefined;
  const parts = declarations.split(PLACEHOLDER_NAME);
  if (parts.length !== 2) return undefined;
  return { catalog, declarations: [parts[0]!, parts[1]!] };
}

/** The catalog and declarations of one integration, from the shared generation. */
export function stampGeneration(shared: SharedGeneration, name: string): { catalog: ActionCatalog; declarations: string; warnings?: SpecProblem[] } {
  return {
    catalog: { ...shared.catalog, integration: name },
    declarations: `${shared.declarations[0]}${name}${shared.declarations[1]}`,
    ...(shared.warnings ? { warnings: shared.warnings } : {}),
  };
}

