import type { CatalogAction, JsonSchema } from '../core/catalog.ts';
import { atPointer } from '../core/json-pointer.ts';

/**
 * An action's output from what the external system answered, in the shape every system's
 * actions share: Search `{items, count?}` (items from every page read), Count `{count}` (from a
 * number, or a number as text as OData's `$count` answers), an action that returns nothing `{}`,
 * anything else the value at the response pointer. OData control information (`@odata.context`,
 * `@odata.etag`, v2's `__metadata`) is left out: it is protocol, not data.
 */
export function shapeOutput(action: CatalogAction, outputSchema: JsonSchema, pages: readonly unknown[], odata: boolean): unknown {
  const first = pages[0];
  const clean = (value: unknown): unknown => (odata ? withoutControlInformation(value) : value);
  const pointer = action.request.response.pointer;
  if (action.kind === 'Search') {
    const items: unknown[] = [];
    for (const page of pages) {
      const list = atPointer(page, pointer);
      if (Array.isArray(list)) items.push(...list);
    }
    const countPointer = action.request.response.count;
    const count = countPointer === undefined ? undefined : toCount(atPointer(first, countPointer));
    return { items: items.map(clean), ...(count !== undefined ? { count } : {}) };
  }
  if (action.kind === 'Count') {
    const count = toCount(atPointer(first, pointer));
    return count === undefined ? { count: atPointer(first, pointer) } : { count };
  }
  if (returnsNothing(outputSchema)) return {};
  return clean(atPointer(first, pointer));
}

function toCount(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

function returnsNothing(schema: JsonSchema): boolean {
  const properties = schema.properties as Record<string, unknown> | undefined;
  return schema.type === 'object' && properties !== undefined && Object.keys(properties).length === 0 && schema.additionalProperties === false;
}

function withoutControlInformation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutControlInformation);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key.startsWith('@') || key.includes('@odata.') || key === '__metadata') continue;
    // A v2 navigation property not expanded: a link, not a value.
    if (inner !== null && typeof inner === 'object' && Object.keys(inner).length === 1 && '__deferred' in inner) continue;
    out[key] = withoutControlInformation(inner);
  }
  return out;
}
