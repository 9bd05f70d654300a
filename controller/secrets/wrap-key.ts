import { decodeBase64, encodeBase64 } from './base64.ts';
import { sodium } from './sodium.ts';

/**
 * The prefix of a wrapped key as stored: `intctl:wrapped:v1:` then base64 of the 24-byte nonce
 * followed by the crypto_secretbox ciphertext. A clear key is bare base64 and never holds a `:`,
 * so a stored value says by itself which it is; a later format takes the next version number.
 */
const PREFIX = 'intctl:wrapped:';
const VERSION = 'v1';

/** What a wrapped key is for: it opens only for the same purpose and environment. */
export interface WrapLabel {
  /** Which key it is (`private_key`, `fingerprint_key`). */
  purpose: string;
  /** The environment whose key it is. */
  environment: string;
}

export type UnwrapResult =
  | { ok: true; key: string }
  /** `WrongKey`: another key-encryption key wrapped it, or it was altered. `UnknownFormat`: not a wrapping this intctl reads. */
  | { ok: false; reason: 'WrongKey' | 'UnknownFormat'; message: string };

/** True when a stored key is wrapped, in any version; false for a key kept in the clear. */
export function isWrapped(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/**
 * Wraps a key (base64 text) with a key-encryption key of 32 bytes: crypto_secretbox under a
 * subkey derived (keyed BLAKE2b) from the key-encryption key and the label, with a fresh random
 * nonce. The label binds the wrapping to one key of one environment, so a wrapped value copied
 * to another column or another environment's database does not open there.
 */
export function wrapKey(keyEncryptionKey: Uint8Array, label: WrapLabel, key: string): string {
  const nonce = sodium.randombytes_buf(sodium.crypto_secretbox_NONCEBYTES);
  const box = sodium.crypto_secretbox_easy(sodium.from_string(key), nonce, subkey(keyEncryptionKey, label));
  const joined = new Uint8Array(nonce.length + box.length);
  joined.set(nonce);
  joined.set(box, nonce.length);
  return `${PREFIX}${VERSION}:${encodeBase64(joined)}`;
}

/** Opens a key wrapped by wrapKey with the same key-encryption key and label. Messages never hold a key. */
export function unwrapKey(keyEncryptionKey: Uint8Array, label: WrapLabel, stored: string): UnwrapResult {
  if (!isWrapped(stored)) return { ok: false, reason: 'UnknownFormat', message: 'it is not a wrapped key' };
  const [version, body] = splitOnce(stored.slice(PREFIX.length));
  if (version !== VERSION) return { ok: false, reason: 'UnknownFormat', message: `it is wrapped in format ${version}, which this intctl does not know: upgrade intctl` };
  const bytes = decodeBase64(body);
  const minimum = sodium.crypto_secretbox_NONCEBYTES + sodium.crypto_secretbox_MACBYTES;
  if (bytes === undefined || bytes.length <= minimum) return { ok: false, reason: 'UnknownFormat', message: 'the wrapped key is damaged' };
  const nonce = bytes.subarray(0, sodium.crypto_secretbox_NONCEBYTES);
  const box = bytes.subarray(sodium.crypto_secretbox_NONCEBYTES);
  let opened: Uint8Array;
  try {
    opened = sodium.crypto_secretbox_open_easy(box, nonce, subkey(keyEncryptionKey, label));
  } catch {
    return { ok: false, reason: 'WrongKey', message: 'it was wrapped with another key-encryption key, or altered' };
  }
  const key = sodium.to_string(opened);
  sodium.memzero(opened);
  return { ok: true, key };
}

function subkey(keyEncryptionKey: Uint8Array, label: WrapLabel): Uint8Array {
  if (keyEncryptionKey.length !== sodium.crypto_secretbox_KEYBYTES) {
    throw new RangeError(`a key-encryption key has ${sodium.crypto_secretbox_KEYBYTES} bytes, not ${keyEncryptionKey.length}`);
  }
  const context = sodium.from_string(`intctl key wrapping ${VERSION}\0${label.purpose}\0${label.environment}`);
  return sodium.crypto_generichash(sodium.crypto_secretbox_KEYBYTES, context, keyEncryptionKey);
}

function splitOnce(text: string): [string, string] {
  const at = text.indexOf(':');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
