import type { ActionCatalog } from '../../core/catalog.ts';
import { diffCatalogs, type CatalogChange } from '../../artifact/diff-catalogs.ts';
import type { BreakingCheck } from '../../core/plan.ts';

/** The planner's breaking check, over the catalog diff of the generation step. */
export const breakingCheck: BreakingCheck = (_name, before, after) => breakingOf(diffCatalogs(before as ActionCatalog, after as ActionCatalog));

/**
 * The planner's breaking check that keeps each integration's whole diff as it goes, so that the
 * reports show every interface change of what a plan republishes from the one diff the planner took.
 */
export function recordingBreakingCheck(): { check: BreakingCheck; changes: ReadonlyMap<string, CatalogChange[]> } {
  const changes = new Map<string, CatalogChange[]>();
  return {
    changes,
    check(name, before, after) {
      const all = diffCatalogs(before as ActionCatalog, after as ActionCatalog);
      changes.set(name, all);
      return breakingOf(all);
    },
  };
}

function breakingOf(changes: readonly CatalogChange[]): ReturnType<BreakingCheck> {
  const breaking = changes.filter((c) => c.severity === 'breaking');
  return { breaking: breaking.length > 0, summary: breaking.map((c) => c.message) };
}
