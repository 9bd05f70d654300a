import { decodeBase64, encodeBase64 } from './base64.ts';
import { SecretError } from './secret-error.ts';
import { sodium } from './sodium.ts';

/**
 * Encrypts a value to an environment's public key with an anonymous sealed box
 * (crypto_box_seal, as GitHub does for Actions secrets) and returns it as standard base64: what
 * `intctl seal` prints and a manifest carries in `sealed:`. Only the holder of the matching
 * private key can open it. Sealing is randomized: the same value seals differently every time.
 * Throws a SecretError (InvalidKey) when the public key is not a base64 X25519 key.
 */
export function sealSecret(publicKeyBase64: string, plaintext: string): string {
  const publicKey = decodeBase64(publicKeyBase64);
  if (publicKey?.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new SecretError('InvalidKey', `the public key is not a base64 X25519 key of ${sodium.crypto_box_PUBLICKEYBYTES} bytes`);
  }
  return encodeBase64(sodium.crypto_box_seal(sodium.from_string(plaintext), publicKey));
}
