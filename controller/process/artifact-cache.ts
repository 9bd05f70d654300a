import type { Artifact, ArtifactCache } from '../artifact/build-artifact.ts';
import { createGenerationCache, type GenerationCache } from '../artifact/generation-cache.ts';

/**
 * Artifacts by content hash, shared by the reconciles of every environment, so an integration
 * whose inputs did not change is not generated again. Least recently used first out: memory stays
 * bounded however many commits go by. Integrations that differ only in their names share one
 * generation through `generations` (in memory unless given one over a store).
 */
export function createArtifactCache(capacity: number, generations: GenerationCache = createGenerationCache()): ArtifactCache {
  const artifacts = new Map<string, Artifact>();
  return {
    generations,
    get(hash) {
      const artifact = artifacts.get(hash);
      if (artifact === undefined) return undefined;
      artifacts.delete(hash);
      artifacts.set(hash, artifact);
      return artifact;
    },
    set(hash, artifact) {
      artifacts.delete(hash);
      artifacts.set(hash, artifact);
      if (artifacts.size > capacity) artifacts.delete(artifacts.keys().next().value as string);
    },
  };
}
