import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hsalsa20, sealedBoxOpen } from '../../controller/secrets/sealed-box-open.ts';
import { sodium } from '../../controller/secrets/sodium.ts';

/*
 * sealedBoxOpen is libsodium's crypto_box_seal_open with node's X25519: it must open exactly what
 * libsodium seals, refuse what libsodium refuses, and use the right private key when several
 * environments' keys take turns.
 */

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('sealedBoxOpen', () => {
  it('derives the box key as NaCl does (HSalsa20 of the shared secret: the firstkey test vector)', () => {
    const shared = Buffer.from('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742', 'hex');
    expect(hex(hsalsa20(shared))).toBe('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
  });

  it('opens what libsodium sealed, for any value and key pair, as libsodium opens it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (message, seed) => {
        const pair = sodium.crypto_box_seed_keypair(seed);
        const sealed = sodium.crypto_box_seal(message, pair.publicKey);
        const opened = sealedBoxOpen(sealed, pair.publicKey, pair.privateKey);
        expect(hex(opened)).toBe(hex(sodium.crypto_box_seal_open(sealed, pair.publicKey, pair.privateKey)));
        expect(hex(opened)).toBe(hex(message));
      }),
      { numRuns: 200 },
    );
  });

  it('opens with the key pair it is given, when several take turns', () => {
    const pairs = [sodium.crypto_box_keypair(), sodium.crypto_box_keypair()];
    for (let round = 0; round < 3; round++) {
      for (const [i, pair] of pairs.entries()) {
        const sealed = sodium.crypto_box_seal(sodium.from_string(`secret ${i}`), pair.publicKey);
        expect(sodium.to_string(sealedBoxOpen(sealed, pair.publicKey, pair.privateKey))).toBe(`secret ${i}`);
        const otherPair = pairs[1 - i]!;
        expect(() => sealedBoxOpen(sealed, otherPair.publicKey, otherPair.privateKey)).toThrow();
      }
    }
  });

  it('opens a stored value every time, and more distinct values than it keeps ephemeral keys for, each as libsodium does', () => {
    const pair = sodium.crypto_box_keypair();
    const stored = sodium.crypto_box_seal(sodium.from_string('stored'), pair.publicKey);
    for (let i = 0; i < 1100; i++) {
      const value = sodium.from_string(`value ${i}`);
      expect(hex(sealedBoxOpen(sodium.crypto_box_seal(value, pair.publicKey), pair.publicKey, pair.privateKey))).toBe(hex(value));
      if (i % 100 === 0) expect(sodium.to_string(sealedBoxOpen(stored, pair.publicKey, pair.privateKey))).toBe('stored');
    }
    // A damaged copy of the stored value, with its ephemeral key known: refused all the same.
    const damaged = new Uint8Array([...stored.subarray(0, stored.length - 1), stored[stored.length - 1]! ^ 1]);
    expect(() => sealedBoxOpen(damaged, pair.publicKey, pair.privateKey)).toThrow();
    // A small-order ephemeral key is refused the second time too.
    const zero = new Uint8Array([...new Uint8Array(32), ...stored.subarray(32)]);
    expect(() => sealedBoxOpen(zero, pair.publicKey, pair.privateKey)).toThrow();
    expect(() => sealedBoxOpen(zero, pair.publicKey, pair.privateKey)).toThrow();
  });

  it.each([
    ['an ephemeral key of small order (all zeros)', (s: Uint8Array) => new Uint8Array([...new Uint8Array(32), ...s.subarray(32)])],
    ['a changed MAC', (s: Uint8Array) => new Uint8Array([...s.subarray(0, 40), s[40]! ^ 1, ...s.subarray(41)])],
    ['a changed ciphertext', (s: Uint8Array) => new Uint8Array([...s.subarray(0, s.length - 1), s[s.length - 1]! ^ 1])],
    ['fewer bytes than a sealed box', (s: Uint8Array) => s.subarray(0, 47)],
  ])('refuses %s, as libsodium does', (_title, damage) => {
    const pair = sodium.crypto_box_keypair();
    const sealed = damage(sodium.crypto_box_seal(sodium.from_string('value'), pair.publicKey));
    expect(() => sodium.crypto_box_seal_open(sealed, pair.publicKey, pair.privateKey)).toThrow();
    expect(() => sealedBoxOpen(sealed, pair.publicKey, pair.privateKey)).toThrow();
  });
});
