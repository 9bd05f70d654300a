import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { isWrapped, unwrapKey, wrapKey } from '../../controller/secrets/wrap-key.ts';

const KEK = new Uint8Array(randomBytes(32));
const OTHER = new Uint8Array(randomBytes(32));
const LABEL = { purpose: 'private_key', environment: 'prod' };
const { privateKey } = generateKeyPair();

describe('wrapKey and unwrapKey', () => {
  it('opens what it wrapped, and the wrapping holds no trace of the key', () => {
    const wrapped = wrapKey(KEK, LABEL, privateKey);
    expect(wrapped).toMatch(/^intctl:wrapped:v1:[A-Za-z0-9+/]+=*$/);
    expect(wrapped).not.toContain(privateKey);
    expect(isWrapped(wrapped)).toBe(true);
    expect(isWrapped(privateKey)).toBe(false);
    expect(unwrapKey(KEK, LABEL, wrapped)).toEqual({ ok: true, key: privateKey });
  });

  it('wraps the same key differently every time', () => {
    expect(wrapKey(KEK, LABEL, privateKey)).not.toBe(wrapKey(KEK, LABEL, privateKey));
  });

  it.each([
    ['another key-encryption key', OTHER, LABEL],
    ['another purpose (a wrapped value moved to another column)', KEK, { ...LABEL, purpose: 'fingerprint_key' }],
    ['another environment (a wrapped value copied between databases)', KEK, { ...LABEL, environment: 'dev' }],
  ])('does not open with %s', (_title, kek, label) => {
    expect(unwrapKey(kek, label, wrapKey(KEK, LABEL, privateKey))).toEqual({ ok: false, reason: 'WrongKey', message: 'it was wrapped with another key-encryption key, or altered' });
  });

  it('does not open an altered wrapping', () => {
    const wrapped = wrapKey(KEK, LABEL, privateKey);
    const body = Buffer.from(wrapped.slice('intctl:wrapped:v1:'.length), 'base64');
    body[body.length - 1] = body[body.length - 1]! ^ 1;
    expect(unwrapKey(KEK, LABEL, `intctl:wrapped:v1:${body.toString('base64')}`)).toMatchObject({ ok: false, reason: 'WrongKey' });
  });

  it.each([
    ['a newer format', 'intctl:wrapped:v2:AAAA', 'it is wrapped in format v2, which this intctl does not know: upgrade intctl'],
    ['a damaged body', 'intctl:wrapped:v1:not base64!', 'the wrapped key is damaged'],
    ['a body too short to hold a key', 'intctl:wrapped:v1:AAAA', 'the wrapped key is damaged'],
    ['a clear key', privateKey, 'it is not a wrapped key'],
  ])('says why it cannot read %s', (_title, stored, message) => {
    expect(unwrapKey(KEK, LABEL, stored)).toEqual({ ok: false, reason: 'UnknownFormat', message });
  });

  it('refuses a key-encryption key of the wrong length', () => {
    expect(() => wrapKey(new Uint8Array(16), LABEL, privateKey)).toThrow('a key-encryption key has 32 bytes, not 16');
  });
});
