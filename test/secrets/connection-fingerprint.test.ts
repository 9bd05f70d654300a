import { describe, expect, it } from 'vitest';
import type { SecretValue } from '../../controller/generated/manifests.ts';
import { connectionFingerprint, generateFingerprintKey } from '../../controller/secrets/connection-fingerprint.ts';

const KEY = Buffer.alloc(32, 1).toString('base64');
const record = {
  name: 'sap-s4',
  system: 'odata',
  authType: 'basic',
  parameters: { endpoint: 'https://s4.example.com/odata', username: 'INTEGRATION', parameters: { 'sap-client': '100', 'sap-language': 'EN' } },
};
const secrets: Record<string, SecretValue> = { password: { plain: 'dev-only-password' } };
const base = connectionFingerprint(KEY, record, secrets);

describe('connectionFingerprint', () => {
  it('is hex HMAC-SHA256: 64 hex digits, holding no part of the secret', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['the key', () => connectionFingerprint(Buffer.alloc(32, 2).toString('base64'), record, secrets)],
    ['the endpoint', () => connectionFingerprint(KEY, { ...record, parameters: { ...record.parameters, endpoint: 'https://s4-2.example.com/odata' } }, secrets)],
    ['a nested parameter', () => connectionFingerprint(KEY, { ...record, parameters: { ...record.parameters, parameters: { 'sap-client': '200', 'sap-language': 'EN' } } }, secrets)],
    ['the auth type', () => connectionFingerprint(KEY, { ...record, authType: 'apiKey' }, secrets)],
    ['the name', () => connectionFingerprint(KEY, { ...record, name: 'sap-s4-b' }, secrets)],
    ['the plain value', () => connectionFingerprint(KEY, record, { password: { plain: 'dev-only-passworD' } })],
    ['how the secret is given, for the same text', () => connectionFingerprint(KEY, record, { password: { env: 'dev-only-password' } })],
    ['which field holds the secret', () => connectionFingerprint(KEY, record, { apiKey: { plain: 'dev-only-password' } })],
    ['an added secret', () => connectionFingerprint(KEY, record, { ...secrets, privateKey: { file: '/run/key' } })],
  ])('changes with %s', (_title, other) => {
    expect(other()).not.toBe(base);
  });

  it.each([
    ['sealed ciphertexts', { sealed: 'AAAA' }, { sealed: 'AAAB' }],
    ['variable names', { env: 'SAP_PASSWORD' }, { env: 'SAP_PASSWORD_2' }],
    ['file paths', { file: '/run/secrets/a' }, { file: '/run/secrets/b' }],
  ])('tells apart different %s', (_title, a: SecretValue, b: SecretValue) => {
    expect(connectionFingerprint(KEY, record, { password: a })).not.toBe(connectionFingerprint(KEY, record, { password: b }));
  });

  it('does not depend on the order keys were written in, or on undefined members', () => {
    const reordered = {
      parameters: { parameters: { 'sap-language': 'EN', 'sap-client': '100' }, username: 'INTEGRATION', endpoint: 'https://s4.example.com/odata', audience: undefined },
      authType: 'basic',
      system: 'odata',
      name: 'sap-s4',
    };
    expect(connectionFingerprint(KEY, reordered, { password: { plain: 'dev-only-password' }, apiKey: undefined })).toBe(base);
  });

  it('ignores the stored secrets of a record, which are sealed afresh each time', () => {
    const full = { ...record, secrets: { password: { sealed: 'anything' } }, fingerprint: 'old' };
    expect(connectionFingerprint(KEY, full, secrets)).toBe(base);
  });

  it.each([
    ['a short key', Buffer.alloc(16).toString('base64'), secrets, 'InvalidKey'],
    ['a key that is not base64', 'not base64!', secrets, 'InvalidKey'],
    ['a secret given two ways', KEY, { password: { plain: 'a', env: 'B' } }, 'InvalidSecretValue'],
    ['a secret given no way', KEY, { password: {} }, 'InvalidSecretValue'],
  ])('refuses %s', (_title, key, inputs, reason) => {
    expect(() => connectionFingerprint(key, record, inputs)).toThrow(expect.objectContaining({ reason }));
  });

  it('makes a fresh 32-byte key every time', () => {
    const a = generateFingerprintKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(generateFingerprintKey()).not.toBe(a);
  });
});
