import type { Environment } from '../generated/manifests.ts';

/** Environments ordered so that each comes after the one it promotes from; ties by name. */
export function promotionOrder<T extends { manifest: Environment }>(environments: readonly T[]): T[] {
  const byName = new Map(environments.map((e) => [e.manifest.metadata.name, e]));
  const depth = (e: T, seen = new Set<string>()): number => {
    const from = e.manifest.spec.promotesFrom;
    const upstream = from ? byName.get(from) : undefined;
    if (!upstream || seen.has(from!)) return 0;
    seen.add(from!);
    return 1 + depth(upstream, seen);
  };
  return [...environments].sort((a, b) => depth(a) - depth(b) || (a.manifest.metadata.name < b.manifest.metadata.name ? -1 : 1));
}
