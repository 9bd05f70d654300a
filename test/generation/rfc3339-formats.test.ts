import fc from 'fast-check';
import formatsModule from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { createCatalogAjv } from '../../controller/artifact/compile-catalog.ts';
import { RFC3339_FORMATS } from '../../controller/artifact/rfc3339-formats.ts';

const { fullFormats } = formatsModule as unknown as { fullFormats: Record<string, { validate: (s: string) => boolean }> };
const NAMES = ['date', 'time', 'date-time'] as const;

/** Strings near the formats: their characters, separators, digits that run out of range, and the odd space or letter. */
const near = fc
  .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '9', '-', ':', '.', 'T', 't', 'Z', 'z', '+', ' ', '\u00a0', 'x', '60', '29', '02', '23', '59', '2024-02-29', '1900-02-29', '2000-02-29', '12:30:45', '23:59:60', 'T', '+05:30'), { maxLength: 14 })
  .map((parts) => parts.join(''));
/** Well-formed values with any digits, valid or not. */
const d2 = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const shaped = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), d2, d2, d2, d2, d2, fc.constantFrom('', '.5', '.123456', '.'), fc.constantFrom('Z', 'z', '+00', '-02:30', '+0530', '+24:00', '-23:60', '', '+1'), fc.constantFrom('T', 't', ' '))
  .chain(([year, month, day, hour, minute, second, fraction, zone, sep]) => {
    const date = `${String(year).padStart(4, '0')}-${month}-${day}`;
    const time = `${hour}:${minute}:${second}${fraction}${zone}`;
    return fc.constantFrom(date, time, `${date}${sep}${time}`);
  });

describe('the date, time and date-time formats catalogs are checked with', () => {
  it('answer as ajv-formats answers, for values of their shape and for strings near it', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, near, fc.string()), (value) => {
        for (const name of NAMES) expect([name, value, RFC3339_FORMATS[name].validate(value)]).toEqual([name, value, fullFormats[name]!.validate(value)]);
      }),
      { numRuns: 20_000 },
    );
  });

  it('examples: database values, leap days and seconds, zones and separators', () => {
    const dateTime = RFC3339_FORMATS['date-time'].validate;
    expect(['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123456Z', '2024-02-29T00:00:00+02:00', '2024-01-02t03:04:05z', '2024-01-02 03:04:05+0530', '1998-12-31T23:59:60Z'].map(dateTime)).toEqual([true, true, true, true, true, true]);
    expect(['2023-02-29T00:00:00Z', '2024-01-02T03:04:05', '2024-13-02T03:04:05Z', '2024-01-02T24:00:00Z', '2024-01-02T03:04:05.Z', '2024-01-02T03:04:05+24:00', '2024-01-02T12:04:60Z'].map(dateTime)).toEqual([false, false, false, false, false, false, false]);
    expect(['2024-02-29', '1900-02-29', '2000-02-29', '2024-04-31'].map(RFC3339_FORMATS.date.validate)).toEqual([true, false, true, false]);
    expect(['10:11:12Z', '10:11:12.5-01', '10:11:12'].map(RFC3339_FORMATS.time.validate)).toEqual([true, true, false]);
  });

  it('are the ones the catalog compiler uses', () => {
    const ajv = createCatalogAjv();
    for (const name of NAMES) expect(ajv.formats[name]).toBe(RFC3339_FORMATS[name]);
    const check = ajv.compile({ type: 'string', format: 'date-time' });
    expect([check('2024-01-02T03:04:05Z'), check('2023-02-29T00:00:00Z')]).toEqual([true, false]);
  });
});
