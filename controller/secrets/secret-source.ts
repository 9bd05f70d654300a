import type { SecretValue } from '../generated/manifests.ts';

export type SecretKind = 'plain' | 'sealed' | 'env' | 'file';

/** One secret value of a manifest, reduced to the one way it is given. */
export interface SecretSource {
  kind: SecretKind;
  /** The plain value, the sealed ciphertext, or the variable or file name. */
  value: string;
}

const KINDS: readonly SecretKind[] = ['plain', 'sealed', 'env', 'file'];

/**
 * How a manifest gives one secret: exactly one of plain, sealed, env and file, as a string.
 * Undefined for anything else (the schema refuses such values; this guards the code after it).
 */
export function secretSource(value: SecretValue | undefined): SecretSource | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const given = KINDS.filter((kind) => value[kind] !== undefined);
  if (given.length !== 1) return undefined;
  const kind = given[0]!;
  const text = value[kind];
  return typeof text === 'string' && text.length > 0 ? { kind, value: text } : undefined;
}
