import { X509Certificate, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { issueCertificate } from '../../controller/secrets/issue-certificate.ts';
import forge from 'node-forge';

export interface TestIdentity {
  certificatePem: string;
  key: KeyObject;
  keyPem: string;
  certificate: X509Certificate;
}

export interface TestPki {
  ca: TestIdentity;
  /** A server certificate for 127.0.0.1 and localhost, issued by ca. */
  server: TestIdentity;
  /** A client certificate (CN=intctl-runtime), issued by ca. */
  client: TestIdentity;
  /** A client certificate of the same name, self-signed: not issued by ca. */
  stranger: TestIdentity;
}

function identity(commonName: string, now: number, options: { ca?: boolean; issuer?: TestIdentity; server?: boolean; days?: number } = {}): TestIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificatePem = issueCertificate({
    commonName,
    publicKey,
    notBefore: now - 60_000,
    days: options.days ?? 30,
    ...(options.ca ? { ca: true } : {}),
    ...(options.server ? { altNames: { dns: ['localhost'], ip: ['127.0.0.1'] } } : {}),
    ...(options.issuer ? { issuer: { certificatePem: options.issuer.certificatePem, key: options.issuer.key } } : { privateKey }),
  });
  return { certificatePem, key: privateKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certificate: new X509Certificate(certificatePem) };
}

/** A small PKI made fresh for a test: an authority, a server and a client it issued, and a stranger it did not. */
export function makeTestPki(now = Date.now()): TestPki {
  const ca = identity('intctl test CA', now, { ca: true, days: 60 });
  return {
    ca,
    server: identity('127.0.0.1', now, { issuer: ca, server: true }),
    client: identity('intctl-runtime', now, { issuer: ca }),
    stranger: identity('intctl-runtime', now),
  };
}

/** An identity of its own (self-signed), as `intctl connection certificate` makes one. */
export function selfSignedIdentity(commonName: string, now = Date.now(), days = 365): TestIdentity {
  return identity(commonName, now, { days });
}

/** An identity's key and certificate as a PKCS#12 file in base64, protected by `password`, as `openssl pkcs12 -export` writes one. */
export function pkcs12Of(identity: TestIdentity, password: string): string {
  const key = forge.pki.privateKeyFromPem(identity.key.export({ type: 'pkcs1', format: 'pem' }) as string);
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [forge.pki.certificateFromPem(identity.certificatePem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64');
}

/** An identity's key in PEM, encrypted with `password` (encrypted PKCS#8). */
export function encryptedKeyOf(identity: TestIdentity, password: string): string {
  return identity.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password }) as string;
}
