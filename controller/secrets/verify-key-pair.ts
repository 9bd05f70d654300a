import { certificatesInPem } from '../core/pem-certificates.ts';
import { readClientKey } from './client-key.ts';
import type { KeyPair } from './generate-key-pair.ts';
import { openSealed } from './open-sealed.ts';

/**
 * A connection's private key and the certificate it must belong to, as a plan asks an
 * environment about them: the key (PEM, or PKCS#12 in base64) and its password sealed to the
 * environment's key, the certificate (and its chain) in PEM, which is public.
 */
export interface SealedKeyPair {
  privateKey: string;
  keyPassword?: string;
  certificate: string;
}

/**
 * What the environment found: `matches` (the key is one the runtime reads, and one of the
 * certificates is its own), `mismatch` (read, but none of the certificates is its own),
 * `unreadable` (not a key the runtime reads: neither PEM nor PKCS#12, or keyPassword does not open
 * it), `unopened` (the key or its password does not open with the environment's key).
 */
export type KeyPairVerdict = 'matches' | 'mismatch' | 'unreadable' | 'unopened';

/**
 * Whether a sealed key belongs to its certificate, decided where the key can be opened: the
 * environment opens the key and its password, reads the key as the runtime does (readClientKey),
 * and keeps only the verdict. The opened text goes no further than this function.
 */
export function verifyKeyPair(keyPair: KeyPair, pair: SealedKeyPair): KeyPairVerdict {
  const key = openSealed(keyPair, pair.privateKey);
  if (!key.ok) return 'unopened';
  let password: string | undefined;
  if (pair.keyPassword !== undefined) {
    const opened = openSealed(keyPair, pair.keyPassword);
    if (!opened.ok) return 'unopened';
    password = opened.value;
  }
  return keyPairVerdict(key.value, pair.certificate, password);
}

/**
 * Whether a key (PEM, or PKCS#12 in base64, opened with `password`) is the key of one of the
 * certificates of `certificatePem`. A PEM or PKCS#12 key that carries certificates of its own must
 * match those too, as the runtime requires. Pure.
 */
export function keyPairVerdict(privateKey: string, certificatePem: string, password: string | undefined): Exclude<KeyPairVerdict, 'unopened'> {
  const read = readClientKey(privateKey, undefined, password);
  if (!read.ok) return read.mismatch ? 'mismatch' : 'unreadable';
  const certificates = certificatesInPem(certificatePem);
  if (typeof certificates === 'string') return 'mismatch';
  for (const certificate of certificates) {
    try {
      if (certificate.checkPrivateKey(read.value.key)) return 'matches';
    } catch {
      // A key of another type than the certificate's: not its key.
    }
  }
  return 'mismatch';
}
