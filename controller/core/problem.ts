/**
 * A problem found in the manifests: where it is (file, line, column, field), what is wrong, and
 * which object it belongs to. Every stage of loading and validation reports these, never throws.
 */

import { printable } from './printable.ts';

/** Why a manifest is refused; CamelCase constants, documented in docs/reasons.md. */
export type ProblemReason =
  | 'FileTooLarge'
  | 'NotUtf8'
  | 'YamlSyntax'
  | 'YamlAliasLimit'
  | 'NestingTooDeep'
  | 'NotAMapping'
  | 'UnknownKind'
  | 'UnsupportedApiVersion'
  | 'SchemaViolation'
  | 'DuplicateName'
  | 'DanglingReference'
  | 'PathOutsideRepository'
  | 'PathOutsideStateDirectory'
  | 'PathNotFound'
  | 'NotARegularFile'
  | 'UnsupportedAuth'
  | 'MissingCredential'
  | 'PlainSecretRefused'
  | 'MalformedSealedValue'
  | 'SecretUnsealFailed'
  | 'CertificateInvalid'
  | 'CertificateExpired'
  | 'CertificateExpiresSoon'
  | 'KeyCertificateMismatch'
  | 'KeyUnreadable'
  | 'SystemMismatch'
  | 'PromotionCycle'
  | 'InvalidCombination'
  | 'UnknownEntity'
  | 'UnknownAttribute'
  | 'UnknownFunction'
  | 'UnsupportedOperation'
  | 'SpecificationInvalid'
  | 'ImplicitFunctions'
  | 'NoOperations'
  | 'SpecificationFaultOutsideSelection'
  | 'NullSchema';

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: Severity;
  reason: ProblemReason;
  /** The field the problem is about, as `spec.entities[0].operations[2]`. */
  field?: string;
  message: string;
  object?: { kind: string; name: string };
}

/**
 * The compiler-style line of a problem: `file:line:col: error: field message (Kind name)`, with
 * control characters escaped (names and values come from the repository).
 */
export function formatProblem(problem: Problem): string {
  const field = problem.field ? `${problem.field} ` : '';
  const object = problem.object ? ` (${problem.object.kind} ${problem.object.name})` : '';
  return printable(`${problem.file}:${problem.line}:${problem.column}: ${problem.severity}: ${field}${problem.message}${object}`);
}

/** Orders problems by file, line and column, so output is stable whatever order they were found in. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Renders a JSON-pointer-like path as the dotted field name people read in manifests. */
export function fieldName(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
