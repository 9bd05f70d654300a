/**
 * Which replica (shard) owns an environment: rendezvous, or highest-random-weight, hashing. Every
 * shard gets a weight per environment from a hash of both; the live shard with the highest weight
 * owns it. Pure, and the same on every machine (sha256, no seed, no clock), so replicas that agree
 * on who is live agree on who owns what without talking about environments at all.
 *
 * Adding a shard to n moves only the environments it now wins, about 1/(n+1) of them; removing
 * one moves only the environments it owned, each to its runner-up. Nothing else moves.
 */
import { createHash } from 'node:crypto';

/** The weight of a shard for an environment: the first 8 bytes of sha256("<environment>\0<shard>"), as an unsigned integer. */
export function shardWeight(environment: string, shard: number): bigint {
  return createHash('sha256').update(`${environment}\0${shard}`).digest().readBigUInt64BE(0);
}

/**
 * The shards given, from the one that owns the environment to the last in line: by weight, highest
 * first, ties (which sha256 makes practically impossible) broken by the lower shard. Duplicates are
 * ranked once.
 */
export function rankShards(environment: string, shards: readonly number[]): number[] {
  const weighed = [...new Set(shards)].map((shard) => ({ shard, weight: shardWeight(environment, shard) }));
  weighed.sort((a, b) => (a.weight === b.weight ? a.shard - b.shard : a.weight > b.weight ? -1 : 1));
  return weighed.map((w) => w.shard);
}

/** The live shard that owns the environment; undefined when no shard is live. */
export function ownerOf(environment: string, liveShards: readonly number[]): number | undefined {
  let best: { shard: number; weight: bigint } | undefined;
  for (const shard of liveShards) {
    const weight = shardWeight(environment, shard);
    if (!best || weight > best.weight || (weight === best.weight && shard < best.shard)) best = { shard, weight };
  }
  return best?.shard;
}
