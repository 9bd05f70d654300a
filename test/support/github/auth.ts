import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';

export interface AppKeyPair {
  /** PKCS#8 PEM, what `createAppAuth({ privateKey })` and `new App({ privateKey })` take. */
  privateKeyPem: string;
  publicKeyPem: string;
}

let generated: AppKeyPair | undefined;

/**
 * An RSA key pair for a test GitHub App. Generated once per worker (2048-bit generation takes a noticeable
 * fraction of a second) and returned from then on.
 */
export function testAppKeyPair(): AppKeyPair {
  if (!generated) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    generated = { privateKeyPem: privateKey, publicKeyPem: publicKey };
  }
  return generated;
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

/** What `Authorization` carried: `token X` and `Bearer X` are the same to GitHub. */
export function credentialOf(header: string | undefined): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}

export type JwtCheck = { ok: true } | { ok: false; message: string };

/**
 * Checks a GitHub App JWT the way GitHub describes it: RS256, signed with the app's private key, `iss` the app id
 * (or client id), `iat` not in the future (60 s of clock drift allowed), `exp` in the future and at most ten
 * minutes after `iat`.
 */
export function verifyAppJwt(jwt: string, publicKey: KeyObject, appId: number, nowSeconds = Math.floor(Date.now() / 1000)): JwtCheck {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, message: 'A JSON web token could not be decoded' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: unknown };
  let payload: { iat?: unknown; exp?: unknown; iss?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof payload;
  } catch {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  if (header.alg !== 'RS256') return { ok: false, message: 'A JSON web token could not be decoded' };
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), publicKey, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return { ok: false, message: 'A JSON web token could not be decoded' };
  if (typeof payload.iat !== 'number' || payload.iat > nowSeconds + 60) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued." };
  }
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) {
    return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires." };
  }
  if (payload.exp - payload.iat > 600) return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future." };
  if (String(payload.iss) !== String(appId)) return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  return { ok: true };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A credential of GitHub's shape: a prefix (`ghs_` installation, `ghp_` personal) and 36 alphanumerics. */
export function githubToken(prefix: 'ghs_' | 'ghp_'): string {
  const bytes = randomBytes(36);
  let out = prefix;
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}
