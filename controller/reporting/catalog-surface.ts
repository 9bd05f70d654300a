/** What a published integration offers callers: its actions and entities, read from its catalog. */
export interface CatalogSurface {
  /** Action names, sorted. */
  actions: string[];
  entities: string[];
}

/**
 * The surface of a catalog as the plan carries it (plain JSON): the names of its actions and
 * entities, so a reviewer sees what a new integration publishes before it does. Pure; a catalog
 * of an unexpected shape has an empty surface.
 */
export function catalogSurface(catalog: unknown): CatalogSurface {
  const names = (list: unknown): string[] =>
    Array.isArray(list) ? list.map((item) => (item as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string') : [];
  const c = (catalog ?? {}) as { actions?: unknown; entities?: unknown };
  return { actions: names(c.actions).sort(), entities: names(c.entities).sort() };
}
