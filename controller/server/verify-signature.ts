import { createHmac, timingSafeEqual } from 'node:crypto';
import { sha256Bytes } from '../core/sha256.ts';

/**
 * Whether `X-Hub-Signature-256` is GitHub's signature of exactly these bytes: `sha256=` and the
 * hex HMAC-SHA256 of the raw body with the webhook secret, compared in constant time.
 */
export function verifyGithubSignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'utf8');
  const given = Buffer.from(header, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a bearer token equals the expected one, in constant time. Both are hashed first, so the
 * comparison takes as long whatever the length of what was sent.
 */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(tokenDigest(expected), tokenDigest(given));
}

/** The SHA-256 of a token: digests of any two tokens have one length, so comparing them takes one time. */
export function tokenDigest(token: string): Buffer {
  return sha256Bytes(token);
}
