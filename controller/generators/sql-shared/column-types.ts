import type { ColumnCodec, DatabaseColumn, JsonSchema } from '../../core/catalog.ts';
import type { DatabaseSystem, SnapshotColumn } from './schema-snapshot.ts';

/** A column's value as JSON: its schema (without null) and how the runtime converts it. */
export interface ColumnType {
  schema: JsonSchema;
  column: DatabaseColumn;
  /** False for types with no order or text to compare (json, binary, arrays): no filters or ordering on them. */
  comparable: boolean;
  /** Text a LIKE applies to: contains, startswith and endswith (and their case-insensitive variants). */
  text: boolean;
}

const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

const RANGES: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  mediumint: [-8388608, 8388607],
  integer: [-2147483648, 2147483647],
  int: [-2147483648, 2147483647],
};
const UNSIGNED: Record<string, number> = { tinyint: 255, smallint: 65535, mediumint: 16777215, integer: 4294967295, int: 4294967295 };

/** PostgreSQL's internal names (as arrays' element types appear) and synonyms, to the names format_type gives. */
const ALIASES: Record<string, string> = {
  int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean',
  varchar: 'character varying', char: 'character', bpchar: 'character', timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone', timetz: 'time with time zone', time: 'time without time zone', decimal: 'numeric',
  serial: 'integer', bigserial: 'bigint', smallserial: 'smallint',
};

const CODECS: Record<string, ColumnCodec> = {
  'bigint': 'bigint', 'numeric': 'decimal', 'decimal': 'decimal', 'real': 'number', 'double precision': 'number', 'float': 'number', 'double': 'number',
  'boolean': 'boolean', 'date': 'date', 'timestamp without time zone': 'timestamp', 'datetime': 'timestamp', 'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time', 'time with time zone': 'time', 'time': 'time', 'json': 'json', 'jsonb': 'json', 'uuid': 'uuid', 'bytea': 'binary',
  'blob': 'binary', 'tinyblob': 'binary', 'mediumblob': 'binary', 'longblob': 'binary', 'binary': 'binary', 'varbinary': 'binary', 'bit': 'binary',
  'year': 'integer',
};

/**
 * The JSON type of a column of a snapshot of `system`: integers that fit a JavaScript number as
 * integers with their range; bigint and numeric/decimal as strings with a pattern; timestamps
 * without a zone as `YYYY-MM-DDTHH:MM:SS[.ffffff]`, with one as RFC 3339 date-times in UTC; json
 * as any JSON value; uuid with its format; binary as base64; enums with their labels; arrays of
 * their element type. A type it does not know is text, as the driver reads it.
 */
export function columnType(column: SnapshotColumn, system: DatabaseSystem): ColumnType {
  const generated = column.generated !== undefined ? { generated: true as const } : {};
  const spelled = column.type.trim().toLowerCase();
  if (system === 'postgresql' && spelled.endsWith('[]')) {
    const element = columnType({ ...column, type: spelled.replace(/(\[\])+$/, ''), generated: undefined }, system);
    return { schema: { type: 'array', items: element.schema }, column: { codec: element.column.codec, array: true, ...generated }, comparable: false, text: false };
  }
  const unsigned = /\bunsigned\b/.test(spelled);
  const bare = spelled.replace(/\bunsigned\b|\bzerofill\b/g, '').replace(/\(.*\)/, '').trim();
  const base = system === 'mysql' ? (bare === 'timestamp' ? 'timestamp with time zone' : bare) : (ALIASES[bare] ?? bare);
  const size = /\(([0-9]+)\)/.exec(spelled)?.[1];
  if (column.enum !== undefined && column.enum.length > 0) {
    return { schema: { type: 'string', enum: [...column.enum] }, column: { codec: 'string', ...generated }, comparable: true, text: true };
  }
  if (system === 'mysql' && base === 'tinyint' && size === '1') return simple({ type: 'boolean' }, 'boolean', generated);
  const range = RANGES[base];
  if (range) {
    const [minimum, maximum] = unsigned ? [0, UNSIGNED[base]!] : range;
    return simple({ type: 'integer', minimum, maximum }, 'integer', generated);
  }
  if (base === 'bigint' && unsigned) return simple({ type: 'string', pattern: INTEGER.source, description: 'An unsigned 64-bit integer, as a decimal string.' }, 'bigint', generated);
  const codec = CODECS[base] ?? 'string';
  switch (codec) {
    case 'bigint':
      return simple({ type: 'string', pattern: INTEGER.source, description: 'A 64-bit integer, as a decimal string.' }, codec, generated);
    case 'decimal':
      return simple({ type: 'string', pattern: DECIMAL.source, description: `An exact decimal number (${spelled}), as a string.` }, codec, generated);
    case 'number':
      return simple({ type: 'number' }, codec, generated);
    case 'boolean':
      return simple({ type: 'boolean' }, codec, generated);
    case 'integer':
      return simple({ type: 'integer' }, codec, generated);
    case 'date':
      return simple({ type: 'string', format: 'date' }, codec, generated);
    case 'time':
      return simple({ type: 'string', pattern: '^[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([+-][0-9]{2}(:?[0-9]{2})?)?$' }, codec, generated);
    case 'timestamp':
      return simple({ type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?$', description: 'A date and time without a time zone.' }, codec, generated);
    case 'timestamptz':
      return simple({ type: 'string', format: 'date-time', description: 'A point in time; read in UTC.' }, codec, generated);
    case 'json':
      return { schema: { description: 'Any JSON value.' }, column: { codec, ...generated }, comparable: false, text: false };
    case 'uuid':
      return simple({ type: 'string', format: 'uuid' }, codec, generated);
    case 'binary':
      return { schema: { type: 'string', contentEncoding: 'base64', description: 'Bytes, in base64.' }, column: { codec, ...generated }, comparable: false, text: false };
    default: {
      const maxLength = size !== undefined && /char|text|binary/.test(base) ? { maxLength: Number(size) } : {};
      return { schema: { type: 'string', ...maxLength }, column: { codec: 'string', ...generated }, comparable: true, text: true };
    }
  }
}

function simple(schema: JsonSchema, codec: ColumnCodec, generated: { generated?: true }): ColumnType {
  return { schema, column: { codec, ...generated }, comparable: true, text: false };
}

/** The schema of a value that may also be null. */
export function orNull(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).filter((k) => k !== 'description').length === 0) return schema;
  const { description, ...rest } = schema;
  return { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: 'null' }] };
}
