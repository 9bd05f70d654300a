import type { ActionCatalog } from '../artifact/catalog.ts';
import { diffCatalogs } from '../artifact/diff-catalogs.ts';
import type { BreakingCheck } from '../core/plan.ts';

/** The planner's breaking check, over the catalog diff of the generation step. */
export const breakingCheck: BreakingCheck = (_name, before, after) => {
  const changes = diffCatalogs(before as ActionCatalog, after as ActionCatalog).filter((c) => c.severity === 'breaking');
  return { breaking: changes.length > 0, summary: changes.map((c) => c.message) };
};
