import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import type * as ForgeModule from 'node-forge';
import { forgeModule as nodeForge } from '../core/lazy-module.ts';
import { PEM_BLOCK, certificatesInPem } from '../core/pem-certificates.ts';

/** A connection's private key and the certificates that go with it, leaf first. */
export interface ClientKey {
  key: KeyObject;
  /** The leaf certificate (the one whose public key is `key`'s) first, then the rest of the chain; empty when none was given. */
  certificates: X509Certificate[];
}

/** A key that cannot be used: why (never the key or the password); `mismatch` when it was read but belongs to none of its certificates. */
export type ClientKeyResult = { ok: true; value: ClientKey } | { ok: false; message: string; mismatch?: true };


/**
 * The key of a connection from its `privateKey` secret: PEM (PKCS#8, encrypted PKCS#8, PKCS#1 or
 * SEC1, optionally followed by its certificates), or a PKCS#12 file in base64, which holds the
 * certificates too; `password` opens an encrypted one. Certificates come from the secret and
 * from `certificatePem` (public, a connection parameter). When certificates are given, one must
 * belong to the key: a key that does not match its certificate is refused here, not found out
 * by the server. Messages never hold the key or the password.
 */
export function readClientKey(privateKey: string, certificatePem: string | undefined, password: string | undefined): ClientKeyResult {
  const text = privateKey.trim();
  let key: KeyObject;
  const certificates: X509Certificate[] = [];
  if (text.startsWith('-----BEGIN')) {
    const keyBlock = [...text.matchAll(PEM_BLOCK)].find((m) => m[1]!.endsWith('PRIVATE KEY'));
    if (!keyBlock) return { ok: false, message: 'privateKey holds no PEM private key block' };
    try {
      key = createPrivateKey({ key: keyBlock[0], format: 'pem', ...(password !== undefined ? { passphrase: password } : {}) });
    } catch {
      return { ok: false, message: `privateKey cannot be read as a PEM private key${pemKeyHint(keyBlock[0], password)}` };
    }
    const own = parseCertificates(text);
    if (!own.ok) return { ok: false, message: `privateKey: ${own.message}` };
    certificates.push(...own.value);
  } else {
    const opened = readPkcs12(text, password);
    if (!opened.ok) return opened;
    key = opened.value.key;
    certificates.push(...opened.value.certificates);
  }
  if (certificatePem !== undefined && certificatePem.trim() !== '') {
    const given = parseCertificates(certificatePem);
    if (!given.ok) return { ok: false, message: `certificate: ${given.message}` };
    certificates.push(...given.value);
  }
  if (certificates.length === 0) return { ok: true, value: { key, certificates } };
  const leaf = certificates.findIndex((c) => c.checkPrivateKey(key));
  if (leaf < 0) return { ok: false, message: `privateKey does not match its certificate (${certificates[0]!.subject.replace(/\n/g, ', ')})`, mismatch: true };
  return { ok: true, value: { key, certificates: [certificates[leaf]!, ...certificates.filter((_, i) => i !== leaf)] } };
}

/** The X.509 certificates of a PEM text, in order; an error for a block that does not parse, or for no certificate at all. */
export function parseCertificates(pem: string): { ok: true; value: X509Certificate[] } | { ok: false; message: string } {
  const out = certificatesInPem(pem);
  if (typeof out === 'string') return { ok: false, message: out };
  if (out.length === 0 && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return { ok: false, message: 'holds no PEM certificate' };
  return { ok: true, value: out };
}

/** The thumbprints a certificate is registered and named by: SHA-1 and SHA-256 of its DER, as hex (Entra shows SHA-1 hex) and as the base64url `x5t` and `x5t#S256` of JOSE headers. */
export function thumbprints(certificate: X509Certificate): { sha1: string; sha256: string; x5t: string; x5tS256: string } {
  const sha1 = createHash('sha1').update(certificate.raw).digest();
  const sha256 = createHash('sha256').update(certificate.raw).digest();
  return { sha1: sha1.toString('hex').toUpperCase(), sha256: sha256.toString('hex').toUpperCase(), x5t: sha1.toString('base64url'), x5tS256: sha256.toString('base64url') };
}

/** The JWS algorithm a key signs with: RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519. */
export function signingAlgorithm(key: KeyObject): string | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec':
      return ({ prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' } as Record<string, string>)[key.asymmetricKeyDetails?.namedCurve ?? ''];
    case 'ed25519':
      return 'EdDSA';
    default:
      return undefined;
  }
}

function pemKeyHint(block: string, password: string | undefined): string {
  if (!/^-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/m.test(block)) return '';
  return password === undefined ? ' (it is encrypted: give keyPassword)' : ' (keyPassword does not open it)';
}

function readPkcs12(base64: string, password: string | undefined): ClientKeyResult {
  const forge = nodeForge();
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return { ok: false, message: 'privateKey is neither PEM nor a PKCS#12 file in base64' };
  let p12: ForgeModule.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(compact, 'base64').toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password ?? '');
  } catch (error) {
    const wrongPassword = /mac|password|decrypt/i.test((error as Error).message);
    return { ok: false, message: `privateKey cannot be read as PKCS#12${wrongPassword ? (password === undefined ? ' (it is protected: give keyPassword)' : ' (keyPassword does not open it)') : ''}` };
  }
  const bags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const bag = bags[0];
  if (!bag) return { ok: false, message: 'privateKey is PKCS#12 without a private key' };
  let key: KeyObject;
  try {
    key = bag.key
      ? createPrivateKey({ key: forge.pki.privateKeyToPem(bag.key), format: 'pem' })
      : createPrivateKey({ key: Buffer.from(forge.asn1.toDer(bag.asn1 as ForgeModule.asn1.Asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  } catch {
    return { ok: false, message: 'privateKey is PKCS#12 with a private key that cannot be read' };
  }
  const certificates: X509Certificate[] = [];
  for (const certBag of p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? []) {
    const asn1 = certBag.cert ? forge.pki.certificateToAsn1(certBag.cert) : (certBag.asn1 as ForgeModule.asn1.Asn1 | undefined);
    if (!asn1) continue;
    certificates.push(new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')));
  }
  return { ok: true, value: { key, certificates } };
}
