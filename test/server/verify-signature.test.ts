import { describe, expect, it } from 'vitest';
import { createDeliveryCache } from '../../controller/server/delivery-cache.ts';
import { tokenMatches, verifyGithubSignature } from '../../controller/server/verify-signature.ts';

// GitHub's documented example: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyGithubSignature', () => {
  it.each([
    ["GitHub's documented example", SIGNATURE, true],
    ['no header', undefined, false],
    ['an empty header', '', false],
    ['the hex alone, without sha256=', SIGNATURE.slice(7), false],
    ['sha1= with the same hex', `sha1=${SIGNATURE.slice(7)}`, false],
    ['upper-case hex', `sha256=${SIGNATURE.slice(7).toUpperCase()}`, false],
    ['one character off', `${SIGNATURE.slice(0, -1)}6`, false],
    ['cut short', SIGNATURE.slice(0, -2), false],
    ['with something after it', `${SIGNATURE}00`, false],
  ])('%s: %s', (_name, header, valid) => {
    expect(verifyGithubSignature(SECRET, BODY, header)).toBe(valid);
  });

  it('refuses the right signature with another secret or another body', () => {
    expect(verifyGithubSignature("It's a Secret to Everybody!", BODY, SIGNATURE)).toBe(false);
    expect(verifyGithubSignature(SECRET, Buffer.from('Hello, World?'), SIGNATURE)).toBe(false);
  });
});

describe('tokenMatches', () => {
  it.each([
    ['the token', 'token-1234', true],
    ['another token', 'token-1235', false],
    ['a prefix', 'token-123', false],
    ['empty', '', false],
    ['longer', 'token-12345', false],
  ])('%s', (_name, given, matches) => {
    expect(tokenMatches('token-1234', given)).toBe(matches);
  });
});

describe('createDeliveryCache', () => {
  it('remembers ids, and forgets the least recently seen beyond its capacity', () => {
    const cache = createDeliveryCache(2);
    expect(['a', 'b', 'a', 'c', 'b', 'a'].map((id) => cache.seenBefore(id))).toEqual([false, false, true, false, false, false]);
    expect(cache.size()).toBe(2);
  });
});
