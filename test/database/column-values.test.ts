import { describe, expect, it } from 'vitest';
import type { DatabaseColumn } from '../../controller/core/catalog.ts';
import { fromDatabase, toDatabase, ValueError } from '../../controller/action-runtime/database/column-values.ts';
import { databaseFailure } from '../../controller/action-runtime/database/database-failure.ts';

const column = (codec: DatabaseColumn['codec'], array?: true): DatabaseColumn => ({ codec, ...(array ? { array } : {}) });

describe('values bound to a column', () => {
  it.each([
    ['bigint from a string', 'bigint', '9007199254740993', 'postgresql', '9007199254740993'],
    ['bigint from a safe integer', 'bigint', 42, 'postgresql', '42'],
    ['decimal from a string', 'decimal', '-0.0001', 'mysql', '-0.0001'],
    ['json as its text', 'json', { a: [1, 'x'] }, 'postgresql', '{"a":[1,"x"]}'],
    ['a timestamp with a zone, for MySQL, in UTC', 'timestamptz', '2024-05-01T10:00:00.5+02:00', 'mysql', '2024-05-01 08:00:00.500000'],
    ['a timestamp without a zone, for MySQL', 'timestamp', '2024-05-01T10:00:00', 'mysql', '2024-05-01 10:00:00'],
    ['a timestamp with a zone, for PostgreSQL, as given', 'timestamptz', '2024-05-01T10:00:00Z', 'postgresql', '2024-05-01T10:00:00Z'],
  ] as const)('%s', (_what, codec, value, kind, bound) => {
    expect(toDatabase(value, column(codec), 'c', kind)).toEqual(bound);
  });

  it('binary from base64, and arrays element by element', () => {
    expect(toDatabase('AQID', column('binary'), 'c', 'postgresql')).toEqual(Buffer.from([1, 2, 3]));
    expect(toDatabase(['1', 2], column('bigint', true), 'c', 'postgresql')).toEqual(['1', '2']);
  });

  it.each([
    ['a bigint that is not an integer', 'bigint', '1.5', /c takes an integer as a string/],
    ['a decimal with SQL in it', 'decimal', "1; DROP TABLE x", /c takes a decimal number as a string/],
    ['a fraction for an integer', 'integer', 1.5, /c takes an integer/],
    ['text that is not base64', 'binary', 'not base64!', /c takes bytes in base64/],
    ['a number for text', 'string', 5, /c takes a string/],
  ] as const)('refuses %s, naming the column', (_what, codec, value, message) => {
    expect(() => toDatabase(value, column(codec), 'c', 'postgresql')).toThrow(ValueError);
    expect(() => toDatabase(value, column(codec), 'c', 'postgresql')).toThrow(message);
  });
});

describe('values read from a column', () => {
  it.each([
    ['a PostgreSQL timestamptz in UTC', 'timestamptz', '2024-05-01 08:00:00.5+00', '2024-05-01T08:00:00.5Z'],
    ['a PostgreSQL timestamptz in UTC, whole seconds', 'timestamptz', '2024-05-01 08:00:00+00', '2024-05-01T08:00:00Z'],
    ['a PostgreSQL timestamptz in UTC, in blanks', 'timestamptz', ' 2024-05-01 08:00:00+00 ', '2024-05-01T08:00:00Z'],
    ['a timestamptz at the offset -00', 'timestamptz', '2024-05-01 08:00:00-00', '2024-05-01T08:00:00Z'],
    ['a timestamptz at an offset with minutes', 'timestamptz', '2024-05-01 08:00:00+00:30', '2024-05-01T07:30:00.000Z'],
    ['a timestamptz with another offset', 'timestamptz', '2024-05-01 10:00:00+02', '2024-05-01T08:00:00.000Z'],
    ['a MySQL TIMESTAMP (session in UTC)', 'timestamptz', '2024-05-01 08:00:00', '2024-05-01T08:00:00Z'],
    ['a timestamp without a zone', 'timestamp', '2024-05-01 08:00:00.123456', '2024-05-01T08:00:00.123456'],
    ['a tinyint(1) as a boolean', 'boolean', 0, false],
    ['a bigint as a string', 'bigint', '9007199254740993', '9007199254740993'],
    ['json sent as text (MariaDB)', 'json', '{"a":1}', { a: 1 }],
    ['bytes as base64', 'binary', Buffer.from([0, 255, 16]), 'AP8Q'],
    ['NULL', 'string', null, null],
  ] as const)('%s', (_what, codec, value, read) => {
    expect(fromDatabase(value, column(codec))).toEqual(read);
  });
});

describe('database errors as action failures', () => {
  const context = { action: 'CreateOrder', table: 'shop.orders', address: { kind: 'mysql' as const, host: 'db', port: 3306, database: 'shop', user: 'app' } };
  it.each([
    [{ code: 'ER_DUP_ENTRY', sqlMessage: "Duplicate entry 'a@b' for key 'orders.email'" }, 409, 'CreateOrder: a row of shop.orders with the same email already exists (unique constraint email)'],
    [{ code: 'ER_ROW_IS_REFERENCED_2', sqlMessage: 'Cannot delete or update a parent row: a foreign key constraint fails (`shop`.`lines`, CONSTRAINT `lines_order` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`))' }, 409, 'CreateOrder: the row of shop.orders is still referenced by rows of another table (foreign key lines_order); delete or change those first'],
    [{ code: 'ER_NO_DEFAULT_FOR_FIELD', sqlMessage: "Field 'sku' doesn't have a default value" }, 422, 'CreateOrder: column sku of shop.orders may not be null; give it a value'],
    [{ code: 'ER_STATEMENT_TIMEOUT', sqlMessage: 'Query execution was interrupted (max_statement_time exceeded)' }, 504, 'CreateOrder: the statement on shop.orders ran past the statement timeout and was cancelled'],
    [{ name: 'KnexTimeoutError', message: 'Knex: Timeout acquiring a connection. The pool is probably full.' }, 502, 'CreateOrder: no connection to the mysql database shop at db:3306 could be opened in time; is it up and reachable from here?'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db' }, 502, 'CreateOrder: the mysql database shop at db:3306 cannot be reached (ENOTFOUND)'],
    [{ code: 'ER_ACCESS_DENIED_ERROR', sqlMessage: "Access denied for user 'app'@'10.0.0.1' (using password: YES)" }, 502, "CreateOrder: the mysql database shop at db:3306 refused the credentials of user app; check the connection's username and password"],
    [{ code: '42703', message: 'insert into "shop"."orders" ("x") values ($1) returning "x" - column "x" of relation "orders" does not exist' }, 502, 'CreateOrder: a column of shop.orders does not exist in the mysql database shop at db:3306 (column "x" of relation "orders" does not exist); the database changed since the schema snapshot: run intctl introspect'],
  ])('%j is %i: %s', (error, status, message) => {
    expect(databaseFailure(error, context)).toEqual({ ok: false, status, body: expect.objectContaining({ message }) });
  });
});
