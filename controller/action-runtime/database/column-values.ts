import type { DatabaseColumn } from '../../core/catalog.ts';
import type { DatabaseKind } from './database-pools.ts';

/** A value that cannot be bound to its column; the message names the column. */
export class ValueError extends Error {}

const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/**
 * A JSON value as the driver binds it to a column: bigint and decimal from strings (or safe
 * integers), binary from base64, json as its JSON text, timestamps in the form the database
 * reads (UTC for MySQL's TIMESTAMP, whose session zone is UTC), arrays element by element.
 */
export function toDatabase(value: unknown, column: DatabaseColumn, name: string, kind: DatabaseKind): unknown {
  if (value === null) return null;
  if (column.array === true) {
    if (!Array.isArray(value)) throw new ValueError(`${name} takes a list`);
    return value.map((v) => toDatabase(v, { codec: column.codec }, name, kind));
  }
  switch (column.codec) {
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || (column.codec === 'integer' && !Number.isInteger(value))) throw new ValueError(`${name} takes ${column.codec === 'integer' ? 'an integer' : 'a number'}`);
      return value;
    case 'bigint':
    case 'decimal': {
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text !== 'string' || !(column.codec === 'bigint' ? INTEGER : DECIMAL).test(text)) throw new ValueError(`${name} takes ${column.codec === 'bigint' ? 'an integer' : 'a decimal number'} as a string`);
      return text;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValueError(`${name} takes true or false`);
      return value;
    case 'json':
      return JSON.stringify(value);
    case 'binary':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new ValueError(`${name} takes bytes in base64`);
      return Buffer.from(value, 'base64');
    case 'timestamp':
    case 'timestamptz':
      if (typeof value !== 'string') throw new ValueError(`${name} takes a date and time as a string`);
      return kind === 'mysql' ? mysqlTimestamp(value, column.codec === 'timestamptz', name) : value;
    default:
      if (typeof value !== 'string') throw new ValueError(`${name} takes a string`);
      return value;
  }
}

/** `2024-05-01T10:00:00.5+02:00` as MySQL reads it: `2024-05-01 08:00:00.500000` (in UTC, for TIMESTAMP). */
function mysqlTimestamp(value: string, zoned: boolean, name: string): string {
  if (!zoned || !/(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(value)) return value.replace('T', ' ');
  const fraction = /\.([0-9]+)/.exec(value)?.[1] ?? '';
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ValueError(`${name} takes an RFC 3339 date-time`);
  const iso = at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '' ? '' : `.${fraction.padEnd(6, '0').slice(0, 6)}`}`;
}

/**
 * A value the driver read as JSON: bigint and decimal as strings, booleans from MySQL's
 * tinyint(1), binary as base64, timestamps as `YYYY-MM-DDTHH:MM:SS[.ffffff]` (with `Z` for
 * those with a time zone, read in UTC), json parsed where the driver gives text.
 */
export function fromDatabase(value: unknown, column: DatabaseColumn): unknown {
  if (value === null || value === undefined) return null;
  if (column.array === true) {
    return Array.isArray(value) ? value.map((v) => fromDatabase(v, { codec: column.codec })) : value;
  }
  switch (column.codec) {
    case 'integer':
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'bigint':
    case 'decimal':
      return String(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : Buffer.isBuffer(value) ? JSON.parse(value.toString('utf8')) : value;
    case 'binary':
      return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
    case 'timestamp':
      return String(value).replace(' ', 'T');
    case 'timestamptz':
      return utc(String(value));
    default:
      return Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** `2024-05-01 08:00:00.5+00` (PostgreSQL, zone UTC) or `2024-05-01 08:00:00` (MySQL TIMESTAMP, zone UTC) as `2024-05-01T08:00:00.5Z`. */
function utc(text: string): string {
  // What PostgreSQL sends in the session zone UTC, most of the time: `...+00`.
  if (text.endsWith('+00') && text.trim() === text) return `${text.slice(0, -3).replace(' ', 'T')}Z`;
  const [, stamp, zone] = /^(.*?)([+-][0-9]{2}(?::?[0-9]{2})?)?$/.exec(text.trim())!;
  const iso = stamp!.replace(' ', 'T');
  if (zone === undefined || /^[+-]00(:?00)?$/.test(zone)) return `${iso}Z`;
  const at = new Date(`${iso}${zone.length === 3 ? `${zone}:00` : zone}`);
  return Number.isNaN(at.getTime()) ? text : at.toISOString();
}
