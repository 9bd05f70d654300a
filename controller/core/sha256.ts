import * as crypto from 'node:crypto';

/** Node's one-shot digest (20.12 and later): a few times cheaper than a Hash object for short inputs. */
const oneShot = typeof (crypto as { hash?: unknown }).hash === 'function';

/** The hex SHA-256 of a text (UTF-8). */
export function sha256Hex(text: string): string {
  return oneShot ? crypto.hash('sha256', text) : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The SHA-256 of a text (UTF-8), as bytes. */
export function sha256Bytes(text: string): Buffer {
  return oneShot ? crypto.hash('sha256', text, 'buffer') : crypto.createHash('sha256').update(text, 'utf8').digest();
}
