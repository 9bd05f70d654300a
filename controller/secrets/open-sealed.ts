import { decodeBase64 } from './base64.ts';
import type { KeyPair } from './generate-key-pair.ts';
import type { SecretFailure } from './secret-error.ts';
import { sealedBoxOpen } from './sealed-box-open.ts';
import { sodium } from './sodium.ts';

export type UnsealResult = { ok: true; value: string } | SecretFailure;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Opens a value sealed with sealSecret. Only the environment calls it, at the moment a connection
 * is used. A value sealed to another key, altered, truncated or not base64 gives
 * SecretUnsealFailed; no message ever holds the value, sealed or open.
 */
export function openSealed(keyPair: KeyPair, sealedBase64: string): UnsealResult {
  const { publicKey, privateKey } = decodedKeys(keyPair);
  if (publicKey?.length !== sodium.crypto_box_PUBLICKEYBYTES || privateKey?.length !== sodium.crypto_box_SECRETKEYBYTES) {
    return { ok: false, reason: 'InvalidKey', message: 'the environment key pair is not a pair of base64 X25519 keys' };
  }
  const sealed = decodeBase64(sealedBase64);
  if (sealed === undefined) return failed('it is not base64');
  if (sealed.length < sodium.crypto_box_SEALBYTES) return failed('it is too short to be a sealed value');
  let opened: Uint8Array;
  try {
    opened = sealedBoxOpen(sealed, publicKey, privateKey);
  } catch {
    return failed("it was sealed to another environment's key, or altered");
  }
  try {
    return { ok: true, value: utf8.decode(opened) };
  } catch {
    return failed('its content is not UTF-8 text');
  } finally {
    sodium.memzero(opened);
  }
}

/** The environment's key pair decoded, once per pair: it is held in memory as text anyway, and every call opens with it. */
let lastKeys: { pair: KeyPair; publicKey: Uint8Array | undefined; privateKey: Uint8Array | undefined } | undefined;

function decodedKeys(pair: KeyPair): { publicKey: Uint8Array | undefined; privateKey: Uint8Array | undefined } {
  if (lastKeys?.pair.publicKey === pair.publicKey && lastKeys.pair.privateKey === pair.privateKey) return lastKeys;
  lastKeys = { pair: { publicKey: pair.publicKey, privateKey: pair.privateKey }, publicKey: decodeBase64(pair.publicKey), privateKey: decodeBase64(pair.privateKey) };
  return lastKeys;
}

function failed(why: string): SecretFailure {
  return { ok: false, reason: 'SecretUnsealFailed', message: `the sealed value does not open with this environment's key: ${why}` };
}
