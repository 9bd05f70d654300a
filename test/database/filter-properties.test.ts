import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { serveEnvironment, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { introspectAndApply, invoke, TOKEN_VARIABLE, writeDatabaseRepo } from './support/database-repo.ts';
import { dropDatabase, mariadbClient, uniqueDatabase } from './support/mariadb.ts';

/** Pieces of text that try to break out of a literal, a comment or a LIKE pattern, and Unicode. */
const FRAGMENTS = ["'", "''", '"', '--', '/*', '*/', ';', '; DROP TABLE items; --', "' OR '1'='1", '%', '_', '\\', '!', '\\%', '!%', 'Ünï', 'ünÏ', 'ß', '💥', 'NULL', 'a', 'A', 'b', ' '];
const text = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 3 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 6 }).filter((s) => !s.includes('\u0000')),
);

interface Filter {
  attribute: string;
  operator: string;
  value: unknown;
}
interface Input {
  filters?: Filter[];
  orderBy?: Array<{ attribute: string; direction: 'asc' | 'desc' }>;
  skip?: number;
  top?: number;
}

const TEXT_OPS = ['eq', 'ne', 'gt', 'lt', 'contains', 'startswith', 'endswith', 'ieq', 'icontains', 'istartswith', 'iendswith', 'in', 'isnull'];
const NUMBER_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isnull'];
const filter: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({ attribute: fc.constantFrom('name', 'tag'), operator: fc.constantFrom(...TEXT_OPS), value: text }),
  fc.record({ attribute: fc.constant('score'), operator: fc.constantFrom(...NUMBER_OPS), value: fc.integer({ min: -5, max: 45 }) }),
  fc.record({ attribute: fc.constant('price'), operator: fc.constantFrom(...NUMBER_OPS), value: fc.integer({ min: 0, max: 4000 }).map((n) => (n / 100).toFixed(2)) }),
).map((f) => (f.operator === 'in' ? { ...f, value: [f.value, f.attribute === 'score' ? 3 : f.attribute === 'price' ? '1.50' : 'a'] } : f.operator === 'isnull' ? { ...f, value: typeof f.value === 'string' ? f.value.length % 2 === 0 : true } : f));
const input: fc.Arbitrary<Input> = fc.record(
  {
    filters: fc.array(filter, { maxLength: 3 }),
    orderBy: fc.uniqueArray(fc.record({ attribute: fc.constantFrom('name', 'score', 'price', 'tag'), direction: fc.constantFrom('asc' as const, 'desc' as const) }), { maxLength: 2, selector: (o) => o.attribute }),
    skip: fc.integer({ min: 0, max: 12 }),
    top: fc.integer({ min: 1, max: 25 }),
  },
  { requiredKeys: [] },
);

/** 40 rows whose names and tags are made of the same fragments the filters use. */
const ROWS = Array.from({ length: 40 }, (_, i) => ({
  id: i + 1,
  name: `${FRAGMENTS[i % FRAGMENTS.length]}${FRAGMENTS[(i * 7) % FRAGMENTS.length]}${i % 3 === 0 ? 'x' : ''}`,
  score: (i * 13) % 41,
  price: ((i * 37) % 3000 / 100).toFixed(2),
  tag: i % 4 === 0 ? null : FRAGMENTS[(i * 5) % FRAGMENTS.length]!,
}));

/**
 * The oracle: the same query written by hand, with other SQL than the runtime's for text
 * matching (strpos or LOCATE, not LIKE), every value a parameter. `p(value)` binds a value and
 * gives its placeholder.
 */
function oracleSql(dialect: 'postgresql' | 'mysql', table: string, q: Input, p: (value: unknown) => string): string {
  const quote = (name: string): string => (dialect === 'postgresql' ? `"${name}"` : `\`${name}\``);
  const where: string[] = [];
  for (const f of q.filters ?? []) {
    const c = quote(f.attribute);
    // Text matching compares characters exactly: in MySQL, under the binary collation.
    const t = dialect === 'postgresql' ? c : `CONVERT(${c} USING utf8mb4) COLLATE utf8mb4_bin`;
    const lower = (x: string): string => `LOWER(${x})`;
    const pos = (hay: string, needle: string): string => (dialect === 'postgresql' ? `strpos(${hay}, ${needle})` : `LOCATE(${needle}, ${hay})`);
    const ends = (hay: string, needle: string): string => (dialect === 'postgresql' ? `right(${hay}, char_length(${needle})) = ${needle}` : `${hay} LIKE CONCAT('%', REPLACE(REPLACE(REPLACE(${needle}, '\\\\', '\\\\\\\\'), '%', '\\\\%'), '_', '\\\\_'))`);
    switch (f.operator) {
      case 'eq': case 'ne': case 'gt': case 'ge': case 'lt': case 'le':
        where.push(`${c} ${{ eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' }[f.operator]} ${p(f.value)}`);
        break;
      case 'in':
        where.push(`${c} IN (${(f.value as unknown[]).map(p).join(', ')})`);
        break;
      case 'isnull':
        where.push(`${c} IS ${f.value ? '' : 'NOT '}NULL`);
        break;
      case 'contains': where.push(`${pos(t, p(f.value))} > 0`); break;
      case 'startswith': where.push(`${pos(t, p(f.value))} = 1`); break;
      case 'endswith': where.push(ends(t, p(f.value))); break;
      case 'ieq': where.push(`${lower(t)} = ${lower(p(f.value))}`); break;
      case 'icontains': where.push(`${pos(lower(t), lower(p(f.value)))} > 0`); break;
      case 'istartswith': where.push(`${pos(lower(t), lower(p(f.value)))} = 1`); break;
      case 'iendswith': where.push(ends(lower(t), lower(p(f.value)))); break;
    }
  }
  const order = [...(q.orderBy ?? []).map((o) => `${quote(o.attribute)} ${o.direction}`), ...((q.orderBy ?? []).some((o) => o.attribute === 'id') ? [] : ['id asc'])];
  const limit = ` LIMIT ${Number(q.top ?? 10_000)}`;
  const offset = q.skip !== undefined ? ` OFFSET ${Number(q.skip)}` : '';
  return `SELECT id FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order.join(', ')}${limit}${offset}`;
}

interface Harness {
  served: ServedEnvironment;
  oracle(q: Input): Promise<number[]>;
  close(): Promise<void>;
}

async function postgresHarness(work: string): Promise<Harness> {
  const schema = uniqueSchema();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id integer PRIMARY KEY, name text NOT NULL, score integer NOT NULL, price numeric(10,2) NOT NULL, tag varchar(40))`);
  for (const r of ROWS) await client.query(`INSERT INTO ${schema}.items VALUES ($1, $2, $3, $4, $5)`, [r.id, r.name, r.score, r.price, r.tag]);
  const served = await serveEnvironment({ name: 'dev' });
  await introspectAndApply(await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: 'trusted', schema, name: 'pg' }));
  return {
    served,
    async oracle(q) {
      const values: unknown[] = [];
      const sql = oracleSql('postgresql', `${schema}.items`, q, (v) => `$${values.push(v)}`);
      return (await client.query(sql, values)).rows.map((r: { id: number }) => r.id);
    },
    async close() {
      await served.close();
      await dropSchema(schema);
      await client.end();
    },
  };
}

async function mariadbHarness(work: string): Promise<Harness> {
  const database = uniqueDatabase();
  const user = `u_${database.slice(-12)}`;
  const client: mysql.Connection = await mariadbClient();
  await client.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4; CREATE TABLE \`${database}\`.items (id int PRIMARY KEY, name text NOT NULL, score int NOT NULL, price decimal(10,2) NOT NULL, tag varchar(40)) DEFAULT CHARSET=utf8mb4`);
  for (const host of ['%', 'localhost', '127.0.0.1']) await client.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY 'pw'; GRANT ALL ON \`${database}\`.* TO '${user}'@'${host}'`);
  for (const r of ROWS) await client.query(`INSERT INTO \`${database}\`.items VALUES (?, ?, ?, ?, ?)`, [r.id, r.name, r.score, r.price, r.tag]);
  const served = await serveEnvironment({ name: 'dev' });
  await introspectAndApply(await writeDatabaseRepo(work, served, { system: 'mysql', endpoint: `mysql://127.0.0.1:3306/${database}`, username: user, password: 'pw', schema: database, name: 'maria' }));
  return {
    served,
    async oracle(q) {
      const values: unknown[] = [];
      const sql = oracleSql('mysql', `\`${database}\`.items`, q, (v) => (values.push(v), '?'));
      const [rows] = (await client.query(sql, values)) as [Array<{ id: number }>, unknown];
      return rows.map((r) => r.id);
    },
    async close() {
      await served.close();
      await dropDatabase(database);
      for (const host of ['%', 'localhost', '127.0.0.1']) await client.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await client.end();
    },
  };
}

let work: string;
const harnesses: Partial<Record<'postgresql' | 'mariadb', Harness>> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-db-props-'));
  harnesses.postgresql = await postgresHarness(work);
  harnesses.mariadb = await mariadbHarness(work);
}, 120_000);
afterAll(async () => {
  delete process.env[TOKEN_VARIABLE];
  for (const h of Object.values(harnesses)) await h?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(['postgresql', 'mariadb'] as const)('Search on %s', (dialect) => {
  it('gives the rows, in the order and page, that the same query written by hand in SQL gives, for random filters, ordering and paging with hostile text', async () => {
    const h = harnesses[dialect]!;
    await fc.assert(
      fc.asyncProperty(input, async (q) => {
        const answer = await invoke(h.served, 'SearchItems', q);
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        const ids = (answer.body.output as { items: Array<{ id: number }> }).items.map((i) => i.id);
        expect(ids).toEqual(await h.oracle(q));
        const count = await invoke(h.served, 'CountItems', { filters: q.filters ?? [] });
        expect((count.body.output as { count: number }).count).toBe((await h.oracle({ filters: q.filters ?? [] })).length);
      }),
      { numRuns: 60 },
    );
    const rows = await h.oracle({});
    expect(rows).toHaveLength(40);
  });

  // Where a collation that ignores case or folds letters would answer otherwise (MariaDB's default
  // matches `A` for `a` and `ß` for `s`): text matching compares characters exactly.
  it.each([
    { attribute: 'name', operator: 'startswith', value: 'a' },
    { attribute: 'name', operator: 'contains', value: 'A' },
    { attribute: 'name', operator: 'endswith', value: 'ünÏ' },
    { attribute: 'name', operator: 'istartswith', value: 'S' },
    { attribute: 'tag', operator: 'icontains', value: 'ss' },
  ])('matches text exactly: $operator $value', async (f) => {
    const h = harnesses[dialect]!;
    const answer = await invoke(h.served, 'SearchItems', { filters: [f] });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const ids = (answer.body.output as { items: Array<{ id: number }> }).items.map((i) => i.id);
    const expected = ROWS.filter((r) => {
      const hay = f.attribute === 'name' ? r.name : r.tag;
      if (hay === null) return false;
      if (f.operator === 'startswith') return hay.startsWith(f.value);
      if (f.operator === 'contains') return hay.includes(f.value);
      if (f.operator === 'endswith') return hay.endsWith(f.value);
      if (f.operator === 'istartswith') return hay.toLowerCase().startsWith(f.value.toLowerCase());
      return hay.toLowerCase().includes(f.value.toLowerCase());
    }).map((r) => r.id);
    expect(ids).toEqual(expected);
    expect(ids).toEqual(await h.oracle({ filters: [f] }));
  });
});
