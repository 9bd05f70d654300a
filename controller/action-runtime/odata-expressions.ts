/**
 * OData query expressions from an action's standard search input: literals, `$filter` from basic
 * filters and an advanced filter, `$orderby` from basic and advanced ordering. Pure.
 */

export interface BasicFilter {
  attribute: string;
  operator: string;
  value: unknown;
}

export interface BasicOrder {
  attribute: string;
  direction?: 'asc' | 'desc';
}

/** An OData literal: strings quoted with quotes doubled, numbers and booleans as they are, null as null. */
export function odataLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/** One basic filter as an OData expression; v2 knows substringof, v4 contains and in. */
export function filterExpression(filter: BasicFilter): string {
  const { attribute: a, operator: op, value } = filter;
  if (COMPARISONS.has(op)) return `${a} ${op} ${odataLiteral(value)}`;
  if (op === 'startswith' || op === 'endswith' || op === 'contains') return `${op}(${a},${odataLiteral(value)})`;
  if (op === 'substringof') return `substringof(${odataLiteral(value)},${a})`;
  if (op === 'in') return `${a} in (${(Array.isArray(value) ? value : [value]).map(odataLiteral).join(',')})`;
  throw new RangeError(`unknown filter operator ${op}`);
}

/** `$filter`: every basic filter and the advanced filter, all of which must hold; undefined when none is given. */
export function odataFilter(filters: readonly BasicFilter[] | undefined, advanced: string | undefined): string | undefined {
  const parts = (filters ?? []).map(filterExpression);
  if (advanced !== undefined && advanced.trim() !== '') parts.push(parts.length > 0 ? `(${advanced})` : advanced);
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

/** `$orderby`: basic ordering first, then the advanced ordering; undefined when none is given. */
export function odataOrderBy(order: readonly BasicOrder[] | undefined, advanced: string | undefined): string | undefined {
  const parts = (order ?? []).map((o) => `${o.attribute} ${o.direction ?? 'asc'}`);
  if (advanced !== undefined && advanced.trim() !== '') parts.push(advanced);
  return parts.length > 0 ? parts.join(',') : undefined;
}
