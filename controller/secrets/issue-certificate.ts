import { randomBytes, type KeyObject } from 'node:crypto';
import { forgeModule as nodeForge } from '../core/lazy-module.ts';

export interface CertificateRequest {
  /** The subject's common name (CN). */
  commonName: string;
  /** The RSA key pair the certificate is for. */
  publicKey: KeyObject;
  /** Valid from this instant (ms since the epoch)... */
  notBefore: number;
  /** ...for this many days. */
  days: number;
  /** DNS names and IP addresses of a server certificate. */
  altNames?: { dns?: string[]; ip?: string[] };
  /** A certificate authority (may sign other certificates). */
  ca?: boolean;
  /** Who signs it: the subject itself (self-signed) when absent. */
  issuer?: { certificatePem: string; key: KeyObject };
  /** The subject's own private key, to sign a self-signed certificate. */
  privateKey?: KeyObject;
}

/**
 * A PEM X.509 v3 certificate for an RSA key, signed with SHA-256: self-signed (the form
 * Entra ID, Salesforce and most systems accept for an application's credential) or issued by
 * a given authority. The serial number is random; a self-signed certificate needs `privateKey`.
 */
export function issueCertificate(request: CertificateRequest): string {
  const forge = nodeForge();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  // A positive serial: the high bit of the first byte cleared.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(request.notBefore);
  cert.validity.notAfter = new Date(request.notBefore + request.days * 86_400_000);
  const subject = [{ name: 'commonName', value: request.commonName }];
  cert.setSubject(subject);
  const signer = request.issuer ? forge.pki.certificateFromPem(request.issuer.certificatePem) : undefined;
  cert.setIssuer(signer ? signer.subject.attributes : subject);
  const altNames = [...(request.altNames?.dns ?? []).map((value) => ({ type: 2, value })), ...(request.altNames?.ip ?? []).map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: request.ca === true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, ...(request.ca ? { keyCertSign: true, cRLSign: true } : {}) },
    ...(request.ca ? [] : [{ name: 'extKeyUsage', serverAuth: true, clientAuth: true }]),
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
  ]);
  const signingKey = request.issuer?.key ?? request.privateKey;
  if (!signingKey) throw new TypeError('a self-signed certificate needs the subject\'s private key');
  cert.sign(forge.pki.privateKeyFromPem(signingKey.export({ type: 'pkcs1', format: 'pem' }) as string), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
