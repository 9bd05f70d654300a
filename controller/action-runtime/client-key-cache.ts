import { createHash } from 'node:crypto';
import { readClientKey, type ClientKeyResult } from '../secrets/client-key.ts';

/** Keys kept at most; the oldest is dropped past it. */
const MAX_KEYS = 64;

/**
 * Connections' keys as read by readClientKey, by a hash of what they were read from (the key,
 * the certificate, the password): reading a PEM key and checking it against its certificate
 * costs milliseconds, a PKCS#12 file more, and a call should not pay that each time. A key read
 * anew from a rotated file or variable hashes differently, so it is read again. Failures are not
 * kept: the next call reads and reports again.
 */
export class ClientKeyCache {
  readonly #keys = new Map<string, ClientKeyResult & { ok: true }>();

  /** The key, from the cache or read now. */
  read(privateKey: string, certificatePem: string | undefined, password: string | undefined): ClientKeyResult {
    const id = createHash('sha256').update(JSON.stringify([privateKey, certificatePem ?? null, password ?? null])).digest('hex');
    const known = this.#keys.get(id);
    if (known) return known;
    const read = readClientKey(privateKey, certificatePem, password);
    if (!read.ok) return read;
    this.#keys.set(id, read);
    if (this.#keys.size > MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!);
    return read;
  }
}
