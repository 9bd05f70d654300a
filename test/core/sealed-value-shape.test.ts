import { describe, expect, it } from 'vitest';
import { SEALED_BOX_OVERHEAD, SHORTEST_SEALED_BYTES, sealedValueFlaw } from '../../controller/core/sealed-value-shape.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { sodium } from '../../controller/secrets/sodium.ts';

const sealed = sealSecret(generateKeyPair().publicKey, 'x');
const NOT_BASE64 = 'it is not base64: a sealed value holds only A-Z, a-z, 0-9, + and / (or - and _), with = padding at the end';

describe('sealedValueFlaw', () => {
  it('counts the overhead libsodium adds to a sealed box', () => {
    expect(SEALED_BOX_OVERHEAD).toBe(sodium.crypto_box_SEALBYTES);
    expect(Buffer.from(sealed, 'base64')).toHaveLength(SHORTEST_SEALED_BYTES);
  });

  it.each([
    ['a value intctl seal printed for a one-byte secret', sealed, undefined],
    ['the same value in unpadded base64url', Buffer.from(sealed, 'base64').toString('base64url'), undefined],
    ['TODO', 'TODO', 'it is base64 of 3 bytes, fewer than the 49 of the shortest sealed value'],
    ['a password pasted in its place', 'hunter2', 'it is base64 of 5 bytes, fewer than the 49 of the shortest sealed value'],
    ['the sealed value cut short by one byte', Buffer.from(sealed, 'base64').subarray(1).toString('base64'), 'it is base64 of 48 bytes, fewer than the 49 of the shortest sealed value'],
    ['a placeholder with an ellipsis', 'AgB3k…', NOT_BASE64],
    ['text with spaces', 'correct horse battery staple', NOT_BASE64],
    ['both alphabets at once', `${sealed.slice(0, 10)}_${sealed.slice(11)}`.replace(/[A-Za-z]/, '+'), NOT_BASE64],
    ['padding in the middle', `${sealed}${sealed}`, NOT_BASE64],
    ['an empty value', '', NOT_BASE64],
  ])('%s', (_name, text, expected) => {
    expect(sealedValueFlaw(text)).toBe(expected);
  });

  it('never repeats the text it refuses', () => {
    for (const text of ['TODO', 'hunter2', 'correct horse battery staple']) expect(sealedValueFlaw(text)).not.toContain(text);
  });
});
