import { encodeBase64 } from './base64.ts';
import { sodium } from './sodium.ts';

/** An environment's key pair for sealed secrets: X25519 keys, standard base64. */
export interface KeyPair {
  publicKey: string;
  privateKey: string;
}

/**
 * A fresh key pair for an environment. The public key is what `intctl seal` encrypts to; the
 * private key never leaves the environment.
 */
export function generateKeyPair(): KeyPair {
  const pair = sodium.crypto_box_keypair();
  return { publicKey: encodeBase64(pair.publicKey), privateKey: encodeBase64(pair.privateKey) };
}
