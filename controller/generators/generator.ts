/**
 * The contract every generator plugin keeps, in three steps. `parse` reads the specification of
 * one kind of system into a model: the expensive part (validation, references, inference), done
 * once per specification however many integrations use it. `describe` says what the model offers,
 * as a manifest can select it; `generate` builds the action catalog of one integration from it.
 * All three return problems as values: a specification a generator cannot handle is a problem
 * naming the path in the document, never a throw. A model is opaque to callers, and shared: once
 * parsed it is never changed, and nothing `describe` or `generate` returns holds a part of it.
 */
import type { ActionCatalog } from '../core/catalog.ts';
import type { DependencyName } from '../core/dependencies.ts';
import type { ProblemReason } from '../core/problem.ts';
import type { DependencyPins, IntegrationSource, IntegrationSpec, Operation, SystemKind } from '../generated/manifests.ts';

/** A problem with a specification or with a selection from it. */
export interface SpecProblem {
  reason: Extract<ProblemReason, 'UnknownEntity' | 'UnknownAttribute' | 'UnknownFunction' | 'UnsupportedOperation' | 'SpecificationInvalid' | 'SpecificationFaultOutsideSelection' | 'NullSchema'>;
  /** Left out: an error. A warning is shown but blocks nothing. */
  severity?: 'warning';
  /** Where in the specification document: a JSON pointer, or an EDMX element path. */
  pointer: string;
  message: string;
  /** For selection problems: the manifest field at fault, as a path (`['spec', 'entities', 1, 'attributes', 3]`). */
  field?: (string | number)[];
}

/** A value or the problems that stopped it; a value may come with warnings, shown but not blocking. */
export type Result<T> = { ok: true; value: T; warnings?: SpecProblem[] } | { ok: false; problems: SpecProblem[] };

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

/**
 * What a parse reads besides the bytes: the integration's `spec.source` without its path (which
 * only says where the bytes are). Two integrations whose bytes and options are equal share a model.
 */
export type ParseOptions = Omit<IntegrationSource, 'path'>;

export interface GenerateInput {
  /** The integration's metadata.name. */
  name: string;
  spec: IntegrationSpec;
  /** Repository-relative path of the specification, for the catalog. */
  specPath: string;
  /** The pinned dependency versions of the environment the artifact is generated for. */
  dependencies: DependencyPins;
}

/** A generator plugin; `M` is its model, which only the plugin itself looks into. */
export interface Generator<M = unknown> {
  system: SystemKind;
  /** A semver version, part of every content hash: bump it whenever output changes. */
  version: string;
  /** The shared dependencies the generated code always uses. */
  runtime: readonly DependencyName[];
  /** Reads and validates a specification into a model; the same bytes and options give an equal model. */
  parse(specBytes: Uint8Array, options: ParseOptions): Promise<Result<M>>;
  /** What the model offers: cheap, pure, and what `generate` checks a selection against. */
  describe(model: M): SpecDescription;
  /** The catalog of one integration: its selection checked against `describe(model)`, then built. */
  generate(model: M, input: GenerateInput): Result<ActionCatalog>;
  /**
   * The faults of a specification that was read in spite of them, as one selection sees them:
   * errors where the selection uses the faulty part, warnings elsewhere. `generate` fails on the
   * same errors and returns the same warnings; validation calls this to report them all at once.
   */
  faults?(model: M, spec: IntegrationSpec): SpecProblem[];
}

/** What names a generator in content hashes and requirements, apart from its code. */
export type GeneratorIdentity = Pick<Generator, 'system' | 'version' | 'runtime'>;

/** The order operations are listed and generated in. */
export const OPERATIONS: readonly Operation[] = ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'];

/** A successful result, with its warnings if there are any. */
export function ok<T>(value: T, warnings: SpecProblem[] = []): Result<T> {
  return warnings.length > 0 ? { ok: true, value, warnings } : { ok: true, value };
}

/** A result that is only problems. */
export function failed<T>(problems: SpecProblem[]): Result<T> {
  return { ok: false, problems };
}

/** A JSON pointer from path segments (RFC 6901). */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
