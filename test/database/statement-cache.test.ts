import fc from 'fast-check';
import knex from 'knex';
import { describe, expect, it } from 'vitest';
import type { CatalogAction, DatabaseTarget } from '../../controller/core/catalog.ts';
import { databaseStatement } from '../../controller/action-runtime/database/database-statement.ts';
import type { DatabaseKind } from '../../controller/action-runtime/database/database-pools.ts';
import { compileStatement, StatementCache } from '../../controller/action-runtime/database/statement-cache.ts';

const TARGET: DatabaseTarget = {
  schema: 'shop',
  table: 'items',
  key: ['id'],
  columns: { id: { codec: 'integer' }, name: { codec: 'string' }, price: { codec: 'decimal' }, big: { codec: 'bigint' }, seen: { codec: 'timestamptz' }, tags: { codec: 'string', array: true } },
};

const action = (kind: CatalogAction['kind'], target: DatabaseTarget = TARGET): CatalogAction => ({
  name: `${kind}Items`,
  kind,
  source: '#',
  input: {},
  output: {},
  request: { method: 'POST', path: '', response: { pointer: '' }, database: target } as CatalogAction['request'],
});

const DIALECTS: Array<{ kind: DatabaseKind; client: string }> = [
  { kind: 'postgresql', client: 'pg' },
  { kind: 'mysql', client: 'mysql2' },
];

/** Few values per column, so that shapes recur with other values and the cached text is reused. */
const value = (attribute: string): fc.Arbitrary<unknown> => {
  switch (attribute) {
    case 'id':
      return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constant(null));
    case 'price':
      return fc.oneof(fc.constantFrom('1.50', '0', '-2.25'), fc.constant(null));
    case 'big':
      return fc.oneof(fc.constantFrom('9007199254740993', '-5'), fc.integer({ min: 0, max: 5 }));
    case 'seen':
      return fc.constantFrom('2024-05-01T10:00:00.5+02:00', '2024-05-01T08:00:00Z');
    default:
      return fc.oneof(fc.constantFrom("'; DROP TABLE items; --", '%_!', 'a?b', '$1', 'Ünï'), fc.constant(null));
  }
};
const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isnull', 'contains', 'startswith', 'endswith', 'ieq', 'icontains', 'istartswith', 'iendswith'];
const filter = fc
  .record({ attribute: fc.constantFrom('id', 'name', 'price', 'big', 'seen'), operator: fc.constantFrom(...OPERATORS) })
  .chain(({ attribute, operator }) =>
    (operator === 'in' ? fc.array(value(attribute).filter((v) => v !== null), { maxLength: 3 }) : operator === 'isnull' ? fc.boolean() : value(attribute)).map((v) => ({ attribute, operator, value: v })),
  )
  .filter((f) => f.attribute === 'name' || !/contains|with|^ieq$/.test(f.operator));
const searchInput = fc.record(
  {
    filters: fc.array(filter, { maxLength: 3 }),
    orderBy: fc.uniqueArray(fc.record({ attribute: fc.constantFrom('id', 'name', 'price'), direction: fc.constantFrom('asc' as const, 'desc' as const) }), { maxLength: 2, selector: (o) => o.attribute }),
    skip: fc.integer({ min: 0, max: 3 }),
    top: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: [] },
);

describe('SQL text cached per action and shape', () => {
  it.each(DIALECTS)('gives the SQL and bound values knex builds afresh, and reuses the text of a shape seen before ($client)', ({ kind, client }) => {
    const db = knex({ client });
    const actions = { Search: action('Search'), Count: action('Count'), Get: action('Get'), Delete: action('Delete') };
    const cache = new StatementCache();
    const request = fc.oneof(
      searchInput.map((input) => ({ kind: 'Search' as const, input })),
      searchInput.map(({ filters }) => ({ kind: 'Count' as const, input: filters === undefined ? {} : { filters } })),
      fc.record({ kind: fc.constantFrom('Get' as const, 'Delete' as const), id: value('id') }).map(({ kind: k, id }) => ({ kind: k, input: { id } })),
    );
    const seen = new Set<object>();
    let reused = 0;
    fc.assert(
      fc.property(request, ({ kind: actionKind, input }) => {
        let statement;
        try {
          statement = databaseStatement(actions[actionKind], input, kind)!;
        } catch {
          return; // a value the column refuses: InputInvalid before any SQL
        }
        const fresh = compileStatement(db, statement);
        const first = cache.ready(db, actions[actionKind], statement);
        expect(first).toEqual(fresh);
        const again = cache.ready(db, actions[actionKind], databaseStatement(actions[actionKind], input, kind)!);
        // Kept, not compiled again: the same text object.
        expect(again.compiled).toBe(first.compiled);
        if (seen.has(first.compiled)) reused++;
        seen.add(first.compiled);
      }),
      { numRuns: 400 },
    );
    expect(reused).toBeGreaterThan(0);
  });

  it('never puts a value in the SQL text: every value is a bound parameter', () => {
    const db = knex({ client: 'pg' });
    const hostile = "x'); DROP TABLE items; --";
    const statement = databaseStatement(action('Search'), { filters: [{ attribute: 'name', operator: 'contains', value: hostile }, { attribute: 'name', operator: 'eq', value: hostile }] }, 'postgresql')!;
    const ready = new StatementCache().ready(db, action('Search'), statement);
    expect(ready.compiled.sql).toBe(
      `select "id", "name", "price", "big", "seen", "tags" from "shop"."items" where CAST("name" AS text) LIKE $1 ESCAPE '!' and "name" = $2 order by "id" asc limit $3`,
    );
    expect(ready.bindings).toEqual([`%${hostile}%`, hostile, 10_000]);
  });

  it('compiles a changed catalog afresh: its action is another object, whose text is its own', () => {
    const db = knex({ client: 'pg' });
    const cache = new StatementCache();
    const before = action('Get');
    const after = action('Get', { ...TARGET, table: 'products', columns: { id: { codec: 'integer' }, title: { codec: 'string' } } });
    expect(cache.ready(db, before, databaseStatement(before, { id: 1 }, 'postgresql')!).compiled.sql).toBe(`select "id", "name", "price", "big", "seen", "tags" from "shop"."items" where "id" = $1 limit $2`);
    expect(cache.ready(db, after, databaseStatement(after, { id: 1 }, 'postgresql')!).compiled.sql).toBe(`select "id", "title" from "shop"."products" where "id" = $1 limit $2`);
  });

  it('does not keep the text of a shape knex binds otherwise than the statement says', () => {
    const db = knex({ client: 'pg' });
    const cache = new StatementCache();
    const search = action('Search');
    // knex reads a top of 2.5 as 2: the statement's own values differ, so each call compiles afresh.
    const statement = databaseStatement(search, { top: 2.5 }, 'postgresql')!;
    const first = cache.ready(db, search, statement);
    expect(first.bindings).toEqual([2]);
    expect(cache.ready(db, search, statement).compiled).not.toBe(first.compiled);
  });
});
