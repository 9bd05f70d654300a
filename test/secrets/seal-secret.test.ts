import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { SecretError } from '../../controller/secrets/secret-error.ts';

const keys = generateKeyPair();
const other = generateKeyPair();
const SECRET = 'correct horse battery staple';

/** Flips one bit of the byte at `index` of a base64 value. */
function flip(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed, 'base64');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64');
}

describe('sealSecret and openSealed', () => {
  it.each([
    ['ASCII', SECRET],
    ['one character', 'x'],
    ['Unicode', 'pässwörd-密码-🔑'],
    ['a PEM key with line breaks', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n'],
    ['64 KiB', 'k'.repeat(64 * 1024)],
  ])('opens what it sealed: %s', (_title, value) => {
    const sealed = sealSecret(keys.publicKey, value);
    expect(sealed).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(openSealed(keys, sealed)).toEqual({ ok: true, value });
  });

  it('seals the same value differently every time; each opens', () => {
    const a = sealSecret(keys.publicKey, SECRET);
    const b = sealSecret(keys.publicKey, SECRET);
    expect(a).not.toBe(b);
    expect([openSealed(keys, a), openSealed(keys, b)]).toEqual([{ ok: true, value: SECRET }, { ok: true, value: SECRET }]);
  });

  it('adds 48 bytes to the value: an ephemeral public key and a MAC, as crypto_box_seal does', () => {
    expect(Buffer.from(sealSecret(keys.publicKey, SECRET), 'base64')).toHaveLength(SECRET.length + 48);
  });

  it('still opens a value sealed by an earlier build (the stored format never changes)', () => {
    const pair = { publicKey: 'dh2I7IMEE5Gd/p1NHVbxfmU8jJlAgt9bE3uQoK5u33Q=', privateKey: 'L605/v1/o+IAqcYm7vWZ5hotBVxIqCiKTn5MS8o5KPg=' };
    const sealedEarlier = '1B2OYsikqK++1vZ8abYE3mHPbA1YrzlfCSuWN2TfHi1U4HNan437aeqY9dgViXWOP8u61dVJJvuDKyOiAyc9G+7WDX4lGKKvTviXqXFffoVyf3t3';
    expect(openSealed(pair, sealedEarlier)).toEqual({ ok: true, value: 'sealed in 2026 with libsodium 1.0.22' });
  });

  it('opens the base64url form too', () => {
    const urlSafe = Buffer.from(sealSecret(keys.publicKey, SECRET), 'base64').toString('base64url');
    expect(openSealed(keys, urlSafe)).toEqual({ ok: true, value: SECRET });
  });

  const sealed = sealSecret(keys.publicKey, SECRET);
  it.each([
    ['sealed to another key', other, sealed],
    ['with a bit flipped in the ephemeral key', keys, flip(sealed, 0)],
    ['with a bit flipped in the MAC', keys, flip(sealed, 40)],
    ['with a bit flipped in the ciphertext', keys, flip(sealed, 50)],
    ['truncated', keys, Buffer.from(sealed, 'base64').subarray(0, 60).toString('base64')],
    ['shorter than a sealed box', keys, Buffer.from('short').toString('base64')],
    ['not base64', keys, `${sealed.slice(0, 20)}!${sealed.slice(21)}`],
    ['empty', keys, ''],
  ])('refuses a value %s with SecretUnsealFailed, never echoing it', (_title, pair, value) => {
    const result = openSealed(pair, value);
    expect(result).toMatchObject({ ok: false, reason: 'SecretUnsealFailed' });
    const message = (result as { message: string }).message;
    expect(message).not.toContain(SECRET);
    if (value !== '') expect(message).not.toContain(value);
  });

  it('refuses a key pair that is not one', () => {
    expect(openSealed({ publicKey: keys.publicKey, privateKey: 'AAAA' }, sealed)).toMatchObject({ ok: false, reason: 'InvalidKey' });
  });

  it.each([
    ['not base64', 'not a key!'],
    ['too short', Buffer.alloc(16).toString('base64')],
    ['empty', ''],
  ])('throws InvalidKey when sealing to a public key that is %s', (_title, publicKey) => {
    let thrown: unknown;
    try {
      sealSecret(publicKey, SECRET);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretError);
    expect(thrown).toMatchObject({ reason: 'InvalidKey' });
    expect((thrown as Error).message).not.toContain(SECRET);
  });

  it('makes a different key pair every time', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(Buffer.from(a.publicKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(a.privateKey, 'base64')).toHaveLength(32);
  });
});
