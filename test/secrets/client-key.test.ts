import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClientKeyCache } from '../../controller/action-runtime/client-key-cache.ts';
import { readClientKey, signingAlgorithm } from '../../controller/secrets/client-key.ts';
import { makeTestPki } from '../support/test-pki.ts';

const pki = makeTestPki();
const rsa = pki.client.key;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;

describe('readClientKey: the forms a connection key is given in', () => {
  it.each([
    ['PKCS#8', rsa.export({ type: 'pkcs8', format: 'pem' }) as string, undefined],
    ['PKCS#1', rsa.export({ type: 'pkcs1', format: 'pem' }) as string, undefined],
    ['encrypted PKCS#8', rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-1' }) as string, 'pw-1'],
  ])('%s, with its certificate given apart', (_name, pem, password) => {
    const read = readClientKey(pem, pki.client.certificatePem, password);
    expect(read.ok && read.value.certificates[0]!.subject).toBe('CN=intctl-runtime');
  });

  it('a key followed by its chain, the leaf found whatever the order', () => {
    const read = readClientKey(`${pki.client.keyPem}${pki.ca.certificatePem}${pki.client.certificatePem}`, undefined, undefined);
    expect(read.ok && read.value.certificates.map((c) => c.subject)).toEqual(['CN=intctl-runtime', 'CN=intctl test CA']);
  });

  it.each([
    ['an encrypted key without a password', rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-1' }) as string, undefined, undefined, 'privateKey cannot be read as a PEM private key (it is encrypted: give keyPassword)'],
    ['a wrong password', rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-1' }) as string, undefined, 'pw-2', 'privateKey cannot be read as a PEM private key (keyPassword does not open it)'],
    ['text that is no key', 'hunter2 is not a key!', undefined, undefined, 'privateKey is neither PEM nor a PKCS#12 file in base64'],
    ['a certificate without a key', pki.client.certificatePem, undefined, undefined, 'privateKey holds no PEM private key block'],
    ['a certificate that is not PEM X.509', pki.client.keyPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', undefined, 'certificate: certificate 1 is not a valid X.509 certificate'],
  ])('refuses %s, saying why and nothing of the key', (_name, key, certificate, password, message) => {
    expect(readClientKey(key, certificate, password)).toEqual({ ok: false, message });
  });

  it('refuses another key than the certificate as a mismatch, saying why and nothing of the key', () => {
    expect(readClientKey(pki.stranger.keyPem, pki.client.certificatePem, undefined)).toEqual({ ok: false, message: 'privateKey does not match its certificate (CN=intctl-runtime)', mismatch: true });
  });

  it.each([
    ['RSA', rsa, 'RS256'],
    ['EC P-256', ec, 'ES256'],
    ['Ed25519', ed, 'EdDSA'],
  ])('signs with %s as %s', (_name, key, alg) => {
    expect(signingAlgorithm(key)).toBe(alg);
  });
});

describe('ClientKeyCache', () => {
  it('reads a key once, again when it changes, and keeps no failure', () => {
    const cache = new ClientKeyCache();
    const first = cache.read(pki.client.keyPem, pki.client.certificatePem, undefined);
    expect(cache.read(pki.client.keyPem, pki.client.certificatePem, undefined)).toBe(first);
    expect(cache.read(pki.stranger.keyPem, pki.stranger.certificatePem, undefined)).not.toBe(first);
    const failed = cache.read(pki.stranger.keyPem, pki.client.certificatePem, undefined);
    expect(failed.ok).toBe(false);
    expect(cache.read(pki.stranger.keyPem, pki.client.certificatePem, undefined)).not.toBe(failed);
  });
});
