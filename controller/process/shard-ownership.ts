import type { LoadedObject } from '../core/manifest.ts';
import type { Environment } from '../generated/manifests.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * Which environments this replica knows (those of the last valid commit) and which of them it
 * owns. With shards, an environment belongs to the replica that owns the key of its promotion
 * chain (the chain's first environment), so that a chain stays on one replica, where the
 * promotion gate can read the status it promotes from.
 */
export interface ShardOwnership {
  /**
   * Takes note of the environments of a valid commit. Returns those now owned that were not before
   * (to reconcile) and those to forget: gone from Git, or owned by another replica now.
   */
  learn(environments: readonly LoadedObject<Environment>[]): OwnershipChange;
  /** After the live shards changed: the same answer, for the environments already known. */
  refresh(): OwnershipChange;
  isKnown(name: string): boolean;
  /** An environment as the last valid commit of the tracked branch defines it. */
  environment(name: string): LoadedObject<Environment> | undefined;
  /** Whether this replica owns a name, known or not (an unknown name is its own chain). */
  owns(name: string): boolean;
  known(): string[];
  /** The known environments this replica owns, sorted. */
  owned(): string[];
  /** The owned environments that promote from `name`, sorted. */
  downstream(name: string): string[];
}

export interface OwnershipChange {
  gained: string[];
  forgotten: string[];
}

export interface ShardOwnershipOptions {
  /** Whether this replica owns a shard key; left out: one replica owns everything. */
  ownsKey?: (key: string) => boolean;
  logger: Logger;
}

export function createShardOwnership(options: ShardOwnershipOptions): ShardOwnership {
  const ownsKey = options.ownsKey ?? (() => true);
  let environments = new Map<string, LoadedObject<Environment>>();
  let owned = new Set<string>();
  const warnedEmbedded = new Set<string>();

  /** The shard key of an environment: the first of its promotion chain (a cycle, refused by validation, stops the walk). */
  const shardKey = (name: string): string => {
    const seen = new Set<string>();
    let key = name;
    for (;;) {
      seen.add(key);
      const from = environments.get(key)?.manifest.spec.promotesFrom;
      if (from === undefined || seen.has(from) || !environments.has(from)) return key;
      key = from;
    }
  };
  const owns = (name: string): boolean => ownsKey(shardKey(name));

  const refresh = (removed: string[]): OwnershipChange => {
    const next = new Set([...environments.keys()].filter(owns));
    const gained = [...next].filter((name) => !owned.has(name)).sort();
    const lost = [...owned].filter((name) => environments.has(name) && !next.has(name));
    owned = next;
    return { gained, forgotten: [...removed, ...lost].sort() };
  };

  /** An embedded environment lives in one replica's files: with shards, the next owner would start from an empty store. */
  const warnEmbedded = (list: readonly LoadedObject<Environment>[]): void => {
    if (!options.ownsKey) return;
    for (const e of list) {
      const name = e.manifest.metadata.name;
      if (e.manifest.spec.driver !== 'embedded' || warnedEmbedded.has(name)) continue;
      warnedEmbedded.add(name);
      options.logger.warn(
        { environment: name, path: e.manifest.spec.path },
        'an embedded environment with shards: a replica that takes it over opens its own store of it unless spec.path is on storage every replica shares; use an environment server (driver http)',
      );
    }
  };

  return {
    learn(list) {
      const next = new Map(list.map((e) => [e.manifest.metadata.name, e]));
      const removed = [...environments.keys()].filter((name) => !next.has(name));
      environments = next;
      for (const name of removed) owned.delete(name);
      warnEmbedded(list);
      return refresh(removed);
    },
    refresh: () => refresh([]),
    isKnown: (name) => environments.has(name),
    environment: (name) => environments.get(name),
    owns,
    known: () => [...environments.keys()].sort(),
    owned: () => [...owned].sort(),
    downstream: (name) =>
      [...environments.values()]
        .filter((e) => e.manifest.spec.promotesFrom === name && owned.has(e.manifest.metadata.name))
        .map((e) => e.manifest.metadata.name)
        .sort(),
  };
}
