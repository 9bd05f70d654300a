import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { sodium } from './sodium.ts';

/** The private key as node's KeyObject, made once per key (the environment has one). */
let lastPrivate: { raw: Buffer; key: KeyObject } | undefined;

/**
 * Ephemeral public keys as node's KeyObjects, by their base64url text, the oldest first to go when
 * full: a sealed secret is stored, so every call that opens it finds the same ephemeral key, and
 * importing it again was about 4 % of the environment server's CPU on the action path. Only public
 * keys are kept; the agreement, the box key and the opened value are made per call, as before.
 */
const ephemeralKeys = new Map<string, KeyObject>();
const MAX_EPHEMERAL_KEYS = 1024;

/**
 * crypto_box_seal_open, with its one costly step, the X25519 agreement, done by node's own crypto
 * (OpenSSL) instead of libsodium's WebAssembly: about half the time of a sealed secret opened per
 * call. Every other step is libsodium's construction: the nonce is BLAKE2b-192 of the ephemeral
 * and the recipient's public keys, the box key HSalsa20 of the shared secret, and the box is
 * opened (and authenticated) by libsodium's crypto_secretbox_open_easy. A value that does not
 * open throws, as libsodium does; what was derived is wiped before returning.
 */
export function sealedBoxOpen(sealed: Uint8Array, publicKey: Uint8Array, privateKey: Uint8Array): Uint8Array {
  if (sealed.length < sodium.crypto_box_SEALBYTES) throw new Error('too short');
  const ephemeral = sealed.subarray(0, sodium.crypto_box_PUBLICKEYBYTES);
  const nonceInput = new Uint8Array(2 * sodium.crypto_box_PUBLICKEYBYTES);
  nonceInput.set(ephemeral, 0);
  nonceInput.set(publicKey, sodium.crypto_box_PUBLICKEYBYTES);
  const nonce = sodium.crypto_generichash(sodium.crypto_box_NONCEBYTES, nonceInput, null);
  // OpenSSL refuses a shared secret of all zeros (an ephemeral key of small order), as libsodium does.
  const shared = diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: ephemeralKeyObject(ephemeral) });
  const key = hsalsa20(shared);
  shared.fill(0);
  try {
    return sodium.crypto_secretbox_open_easy(sealed.subarray(sodium.crypto_box_PUBLICKEYBYTES), nonce, key);
  } finally {
    key.fill(0);
  }
}

/** An ephemeral public key as a KeyObject, imported from a JWK (many times faster than from DER) once. */
function ephemeralKeyObject(ephemeral: Uint8Array): KeyObject {
  const x = Buffer.from(ephemeral.buffer, ephemeral.byteOffset, ephemeral.byteLength).toString('base64url');
  let key = ephemeralKeys.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
    if (ephemeralKeys.size >= MAX_EPHEMERAL_KEYS) ephemeralKeys.delete(ephemeralKeys.keys().next().value!);
    ephemeralKeys.set(x, key);
  }
  return key;
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  if (lastPrivate?.raw.equals(privateKey)) return lastPrivate.key;
  const d = Buffer.from(privateKey).toString('base64url');
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: Buffer.from(sodium.crypto_scalarmult_base(privateKey)).toString('base64url') }, format: 'jwk' });
  lastPrivate = { raw: Buffer.from(privateKey), key };
  return key;
}

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * HSalsa20 with a zero input block, keyed with a 32-byte shared secret: crypto_box_beforenm's
 * second step (libsodium's crypto_core_hsalsa20, which its standard build does not export).
 * Additions, XORs and rotations of 32-bit words only: no table, no branch on the key.
 */
export function hsalsa20(k: Uint8Array, input: Uint8Array = new Uint8Array(16)): Uint8Array {
  const w = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
  let x0 = 0x61707865, x5 = 0x3320646e, x10 = 0x79622d32, x15 = 0x6b206574;
  let x1 = w(k, 0), x2 = w(k, 4), x3 = w(k, 8), x4 = w(k, 12);
  let x11 = w(k, 16), x12 = w(k, 20), x13 = w(k, 24), x14 = w(k, 28);
  let x6 = w(input, 0), x7 = w(input, 4), x8 = w(input, 8), x9 = w(input, 12);
  for (let i = 0; i < 10; i++) {
    x4 ^= rotl((x0 + x12) | 0, 7);
    x8 ^= rotl((x4 + x0) | 0, 9);
    x12 ^= rotl((x8 + x4) | 0, 13);
    x0 ^= rotl((x12 + x8) | 0, 18);
    x9 ^= rotl((x5 + x1) | 0, 7);
    x13 ^= rotl((x9 + x5) | 0, 9);
    x1 ^= rotl((x13 + x9) | 0, 13);
    x5 ^= rotl((x1 + x13) | 0, 18);
    x14 ^= rotl((x10 + x6) | 0, 7);
    x2 ^= rotl((x14 + x10) | 0, 9);
    x6 ^= rotl((x2 + x14) | 0, 13);
    x10 ^= rotl((x6 + x2) | 0, 18);
    x3 ^= rotl((x15 + x11) | 0, 7);
    x7 ^= rotl((x3 + x15) | 0, 9);
    x11 ^= rotl((x7 + x3) | 0, 13);
    x15 ^= rotl((x11 + x7) | 0, 18);
    x1 ^= rotl((x0 + x3) | 0, 7);
    x2 ^= rotl((x1 + x0) | 0, 9);
    x3 ^= rotl((x2 + x1) | 0, 13);
    x0 ^= rotl((x3 + x2) | 0, 18);
    x6 ^= rotl((x5 + x4) | 0, 7);
    x7 ^= rotl((x6 + x5) | 0, 9);
    x4 ^= rotl((x7 + x6) | 0, 13);
    x5 ^= rotl((x4 + x7) | 0, 18);
    x11 ^= rotl((x10 + x9) | 0, 7);
    x8 ^= rotl((x11 + x10) | 0, 9);
    x9 ^= rotl((x8 + x11) | 0, 13);
    x10 ^= rotl((x9 + x8) | 0, 18);
    x12 ^= rotl((x15 + x14) | 0, 7);
    x13 ^= rotl((x12 + x15) | 0, 9);
    x14 ^= rotl((x13 + x12) | 0, 13);
    x15 ^= rotl((x14 + x13) | 0, 18);
  }
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (const [i, word] of [x0, x5, x10, x15, x6, x7, x8, x9].entries()) view.setUint32(4 * i, word >>> 0, true);
  return out;
}
