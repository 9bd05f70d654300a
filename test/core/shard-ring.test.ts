import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownerOf, rankShards, shardWeight } from '../../controller/core/shard-ring.ts';

const environmentName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
const environments = fc.uniqueArray(environmentName, { minLength: 1, maxLength: 60 });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('ownerOf', () => {
  // Fixed values: every replica, on any machine and any Node version, must compute the same owner.
  it.each([
    ['dev', [0, 1, 2], 2],
    ['test', [0, 1, 2], 1],
    ['prod', [0, 1, 2], 2],
    ['env-0', [0, 1, 2], 0],
    ['env-4', [0, 1, 2], 0],
    ['test', [0, 1, 2, 3], 3],
    ['test', [0, 2], 2],
    ['dev', [5], 5],
  ])('gives %s to shard %j -> %i', (environment, live, owner) => {
    expect(ownerOf(environment, live)).toBe(owner);
  });

  it('gives nothing to nobody', () => {
    expect(ownerOf('dev', [])).toBeUndefined();
  });

  it('ranks the shards, owner first', () => {
    expect(rankShards('dev', [0, 1, 2, 3])).toEqual([2, 3, 0, 1]);
    expect(rankShards('dev', [3, 3, 1])).toEqual([3, 1]);
  });

  it('weighs with sha256 of the environment and the shard', () => {
    expect(shardWeight('dev', 0)).toBe(shardWeight('dev', 0));
    expect(shardWeight('dev', 0)).not.toBe(shardWeight('dev', 1));
    expect(shardWeight('dev', 1)).not.toBe(shardWeight('dev1', 0));
  });

  it('spreads 900 environments over 3 shards about evenly', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 900; i++) counts[ownerOf(`env-${i}`, [0, 1, 2])!]!++;
    expect(counts).toEqual([289, 296, 315]);
  });
});

describe('rendezvous hashing, as properties', () => {
  it('does not depend on the order the live shards are listed in', () => {
    fc.assert(
      fc.property(environmentName, fc.uniqueArray(fc.nat(63), { minLength: 1, maxLength: 12 }), (environment, live) => {
        const reversed = [...live].reverse();
        expect(ownerOf(environment, reversed)).toBe(ownerOf(environment, live));
        expect(rankShards(environment, reversed)).toEqual(rankShards(environment, live));
        expect(rankShards(environment, live)[0]).toBe(ownerOf(environment, live));
      }),
    );
  });

  it('adding a shard moves environments only to that shard', () => {
    fc.assert(
      fc.property(environments, fc.integer({ min: 1, max: 16 }), (names, n) => {
        for (const name of names) {
          const before = ownerOf(name, range(n));
          const after = ownerOf(name, range(n + 1));
          if (after !== before) expect(after).toBe(n);
        }
      }),
    );
  });

  it('removing a shard moves only its own environments, each to its runner-up', () => {
    fc.assert(
      fc.property(environments, fc.integer({ min: 2, max: 16 }), fc.nat(), (names, n, pick) => {
        const gone = pick % n;
        const rest = range(n).filter((s) => s !== gone);
        for (const name of names) {
          const before = ownerOf(name, range(n));
          const after = ownerOf(name, rest);
          if (before !== gone) expect(after).toBe(before);
          else expect(after).toBe(rankShards(name, range(n))[1]);
        }
      }),
    );
  });

  it('adding a shard to n moves about 1/(n+1) of the environments', () => {
    // Over 3,000 fixed names the share moved is within a few percent of the ideal.
    const names = range(3000).map((i) => `environment-${i}`);
    for (const n of [1, 2, 3, 5, 9]) {
      const moved = names.filter((name) => ownerOf(name, range(n)) !== ownerOf(name, range(n + 1))).length;
      expect(Math.abs(moved / names.length - 1 / (n + 1))).toBeLessThan(0.03);
    }
  });
});
