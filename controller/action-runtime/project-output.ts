import type { ActionCatalog, CatalogAction } from '../core/catalog.ts';

/**
 * An action's output kept to the attributes the manifest selected for its entity: what the
 * external system answers besides them is dropped before the output is checked and returned, so
 * a selection never makes a read fail and an application gets what it asked for. Outputs of
 * entities read whole, of functions, and values that are not records pass unchanged.
 */
export function projectOutput(action: CatalogAction, catalog: ActionCatalog, output: unknown): unknown {
  if (action.entity === undefined || action.kind === 'Count' || action.kind === 'Delete') return output;
  const attributes = catalog.entities.find((e) => e.name === action.entity)?.attributes;
  if (attributes === undefined) return output;
  const keep = new Set(attributes);
  if (action.kind === 'Search') {
    if (!isRecord(output) || !Array.isArray(output.items)) return output;
    return { ...output, items: output.items.map((item) => project(item, keep)) };
  }
  return project(output, keep);
}

function project(value: unknown, keep: Set<string>): unknown {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (keep.has(key)) out[key] = inner;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
