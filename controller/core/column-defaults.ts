import type { DatabaseColumn } from './catalog.ts';

/**
 * What a NULL of a database column reads as under `nulls: typeDefaults`: '' for text, 0 for
 * numbers ('0' for bigint and decimal, which travel as strings), false, an empty list for
 * arrays. Undefined for types without a natural default (dates, times, uuid, json, binary),
 * whose NULLs stay null.
 */
export function typeDefault(column: DatabaseColumn): unknown {
  if (column.array === true) return [];
  switch (column.codec) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'bigint':
    case 'decimal':
      return '0';
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}
