/**
 * The contract every generator plugin keeps. A generator reads the specification of one kind of
 * system and says what it offers (`describe`), then builds the action catalog of an integration
 * from it (`generate`). Both are pure over their inputs, and both return problems as values:
 * a specification they cannot handle is a problem naming the path in the document, never a throw.
 */
import type { ActionCatalog } from '../artifact/catalog.ts';
import type { SharedDependency } from '../artifact/dependencies.ts';
import type { ProblemReason } from '../core/problem.ts';
import type { DependencyPins, IntegrationSource, IntegrationSpec, Operation, SystemKind } from '../generated/manifests.ts';

/** A problem with a specification or with a selection from it. */
export interface SpecProblem {
  reason: Extract<ProblemReason, 'UnknownEntity' | 'UnknownAttribute' | 'UnknownFunction' | 'UnsupportedOperation' | 'SpecificationInvalid'>;
  /** Where in the specification document: a JSON pointer, or an EDMX element path. */
  pointer: string;
  message: string;
  /** For selection problems: the manifest field at fault, as a path (`['spec', 'entities', 1, 'attributes', 3]`). */
  field?: (string | number)[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: SpecProblem[] };

/** What a specification offers, as a manifest can select it. */
export interface SpecDescription {
  format: string;
  entities: DescribedEntity[];
  functions: DescribedFunction[];
}

export interface DescribedEntity {
  name: string;
  pointer: string;
  attributes: string[];
  /** The operations the system supports for it, in Operation order. */
  operations: Operation[];
}

export interface DescribedFunction {
  name: string;
  pointer: string;
}

export interface GenerateInput {
  /** The integration's metadata.name. */
  name: string;
  spec: IntegrationSpec;
  specBytes: Uint8Array;
  /** Repository-relative path of the specification, for messages and the catalog. */
  specPath: string;
  /** The pinned dependency versions of the environment the artifact is generated for. */
  dependencies: DependencyPins;
}

export interface Generator {
  system: SystemKind;
  /** A semver version, part of every content hash: bump it whenever output changes. */
  version: string;
  /** The shared dependencies the generated code always uses. */
  runtime: readonly SharedDependency[];
  describe(specBytes: Uint8Array, specPath: string, source?: IntegrationSource): Promise<Result<SpecDescription>>;
  generate(input: GenerateInput): Promise<Result<ActionCatalog>>;
}

/** The order operations are listed and generated in. */
export const OPERATIONS: readonly Operation[] = ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'];

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failed<T>(problems: SpecProblem[]): Result<T> {
  return { ok: false, problems };
}

/** A JSON pointer from path segments (RFC 6901). */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
