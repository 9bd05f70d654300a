import { createHmac, randomBytes } from 'node:crypto';
import type { ConnectionRecord } from '../core/environment-state.ts';
import type { SecretValue } from '../generated/manifests.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { SecretError } from './secret-error.ts';
import { secretSource } from './secret-source.ts';

/** Fingerprint keys are 32 random bytes; shorter ones are refused. */
const KEY_BYTES = 32;

/** A fresh fingerprint key for an environment (base64). */
export function generateFingerprintKey(): string {
  return encodeBase64(randomBytes(KEY_BYTES));
}

/**
 * The keyed fingerprint of a connection as Git defines it for one environment: hex HMAC-SHA256,
 * under the environment's fingerprint key, of a canonical JSON (sorted keys) of the non-secret
 * fields and, per secret field, how it is given and its value: the plain value, the sealed
 * ciphertext, or the variable or file name. A changed secret changes the fingerprint; the
 * fingerprint reveals nothing of it without the key. `record.secrets` is not read: stored secrets
 * are sealed afresh at every build, so the fingerprint is taken over the manifest's inputs.
 * Throws a SecretError for a malformed key (InvalidKey) or secret input (InvalidSecretValue).
 */
export function connectionFingerprint(
  fingerprintKeyBase64: string,
  record: Omit<ConnectionRecord, 'fingerprint' | 'secrets'>,
  secretInputs: Readonly<Record<string, SecretValue | undefined>>,
): string {
  const key = decodeBase64(fingerprintKeyBase64);
  if (key === undefined || key.length < KEY_BYTES) {
    throw new SecretError('InvalidKey', `the fingerprint key is not base64 of at least ${KEY_BYTES} bytes`);
  }
  const secrets: Record<string, { kind: string; value: string }> = {};
  for (const [field, input] of Object.entries(secretInputs)) {
    if (input === undefined) continue;
    const source = secretSource(input);
    if (!source) throw new SecretError('InvalidSecretValue', `secret ${field} must give exactly one of plain, sealed, env or file`);
    secrets[field] = source;
  }
  const material = { v: 1, name: record.name, system: record.system, authType: record.authType, parameters: record.parameters, secrets };
  return createHmac('sha256', key).update(canonical(material)).digest('hex');
}

/**
 * Sorted-key JSON. Kept here rather than shared: fingerprints stored in environments must not
 * change because some other canonical form did.
 */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('a connection parameter is not a finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
}
