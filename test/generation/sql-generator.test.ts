import { describe, expect, it } from 'vitest';
import type { ActionCatalog, JsonSchema } from '../../controller/core/catalog.ts';
import type { IntegrationSpec } from '../../controller/generated/manifests.ts';
import { mysqlGenerator } from '../../controller/generators/mysql/mysql-generator.ts';
import { postgresqlGenerator } from '../../controller/generators/postgresql/postgresql-generator.ts';
import { columnType } from '../../controller/generators/sql-shared/column-types.ts';
import type { SchemaSnapshot } from '../../controller/generators/sql-shared/schema-snapshot.ts';
import { fixture, integration } from './support.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

async function generate(snapshot: unknown, spec: Partial<IntegrationSpec> = {}, generator = postgresqlGenerator): Promise<ActionCatalog> {
  const model = await generator.parse(encode(snapshot), {});
  if (!model.ok) throw new Error(JSON.stringify(model.problems));
  const catalog = generator.generate(model.value, { name: 'shop', spec: { ...integration(generator.system, 'specs/shop.schema.json').spec, ...spec }, specPath: 'specs/shop.schema.json', dependencies: {} });
  if (!catalog.ok) throw new Error(JSON.stringify(catalog.problems));
  return catalog.value;
}

const SHOP = JSON.parse(new TextDecoder().decode(fixture('shop-postgresql.schema.json'))) as SchemaSnapshot;
const withView: SchemaSnapshot = {
  ...SHOP,
  tables: [
    ...SHOP.tables,
    { name: 'audit_log', kind: 'table', columns: [{ name: 'at', type: 'timestamp without time zone', nullable: false }, { name: 'entry', type: 'text', nullable: true }], primaryKey: [], uniqueKeys: [], foreignKeys: [] },
    { name: 'open_orders', kind: 'view', columns: [{ name: 'id', type: 'bigint', nullable: true }, { name: 'total', type: 'numeric(12,2)', nullable: true }], primaryKey: [], uniqueKeys: [], foreignKeys: [] },
  ],
};

describe('database generation from a schema snapshot', () => {
  it('gives tables with a primary key every operation, and views and tables without one only Search and Count', async () => {
    const catalog = await generate(withView);
    const actionsOf = (entity: string): string[] => catalog.entities.find((e) => e.name === entity)!.actions;
    expect(actionsOf('orders')).toEqual(['GetOrder', 'SearchOrders', 'CountOrders', 'CreateOrder', 'UpdateOrder', 'DeleteOrder']);
    expect(actionsOf('open_orders')).toEqual(['SearchOpenOrders', 'CountOpenOrders']);
    expect(actionsOf('audit_log')).toEqual(['SearchAuditLogs', 'CountAuditLogs']);
  });

  it('refuses a write operation on a view, naming the manifest field', async () => {
    const model = await postgresqlGenerator.parse(encode(withView), {});
    const result = postgresqlGenerator.generate(model.ok ? model.value : (undefined as never), { name: 'shop', spec: integration('postgresql', 'x', { entities: [{ name: 'open_orders', operations: ['Create'] }] }).spec, specPath: 'x', dependencies: {} });
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ reason: 'UnsupportedOperation', field: ['spec', 'entities', 0, 'operations', 0], message: 'open_orders does not support Create; the specification offers Search, Count' })] });
  });

  it('takes a composite key as inputs of Get, Update and Delete, and keeps identity columns out of Create and Update', async () => {
    const catalog = await generate(SHOP);
    const line = catalog.definitions.GetOrderLineInput!;
    expect(line.required).toEqual(['line_no', 'order_id']);
    expect(Object.keys(line.properties as object).sort()).toEqual(['line_no', 'order_id']);
    const create = (catalog.definitions.CreateOrderInput!.properties as Record<string, JsonSchema>).record!;
    expect(Object.keys(create.properties as object)).not.toContain('id');
    expect(create.required).toEqual(['customer_id']);
    const update = (catalog.definitions.UpdateOrderInput!.properties as Record<string, JsonSchema>).record!;
    expect(Object.keys(update.properties as object)).not.toContain('id');
    const target = catalog.actions.find((a) => a.name === 'GetOrderLine')!.request.database!;
    expect(target).toMatchObject({ schema: 'shop', table: 'order_lines', key: ['order_id', 'line_no'] });
    expect(target.columns.tags).toEqual({ codec: 'string', array: true });
  });

  it('offers the basic filter operators, ordering and skip/top on Search, filters on Count', async () => {
    const catalog = await generate(SHOP);
    const search = catalog.definitions.SearchOrdersInput!.properties as Record<string, JsonSchema>;
    expect(Object.keys(search).sort()).toEqual(['filters', 'orderBy', 'skip', 'top']);
    const filter = (search.filters!.items as JsonSchema).properties as Record<string, JsonSchema>;
    expect(filter.operator!.enum).toEqual(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isnull', 'contains', 'startswith', 'endswith', 'ieq', 'icontains', 'istartswith', 'iendswith']);
    expect(((search.orderBy!.items as JsonSchema).properties as Record<string, JsonSchema>).attribute!.enum).not.toContain('details');
    expect(Object.keys(catalog.definitions.CountOrdersInput!.properties as object)).toEqual(['filters']);
  });

  it('with nulls: typeDefaults, attributes whose type has a default are never null', async () => {
    const plain = (await generate(SHOP)).definitions.Order!.properties as Record<string, JsonSchema>;
    const defaults = (await generate(SHOP, { nulls: 'typeDefaults' })).definitions.Order!.properties as Record<string, JsonSchema>;
    expect(plain.total).toEqual({ description: 'An exact decimal number (numeric(12,2)), as a string.', anyOf: [{ type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }, { type: 'null' }] });
    expect(defaults.total).toMatchObject({ type: 'string' });
    expect(defaults.placed_on).toEqual({ anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] });
  });

  it.each([
    ['postgresql', 'bigint', { type: 'string', pattern: '^-?[0-9]+$' }, 'bigint'],
    ['postgresql', 'numeric(10,2)', { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }, 'decimal'],
    ['postgresql', 'smallint', { type: 'integer', minimum: -32768, maximum: 32767 }, 'integer'],
    ['postgresql', 'timestamp without time zone', { type: 'string', pattern: expect.stringContaining('T') }, 'timestamp'],
    ['postgresql', 'timestamp(3) with time zone', { type: 'string', format: 'date-time' }, 'timestamptz'],
    ['postgresql', 'jsonb', {}, 'json'],
    ['postgresql', 'uuid', { type: 'string', format: 'uuid' }, 'uuid'],
    ['postgresql', 'bytea', { type: 'string', contentEncoding: 'base64' }, 'binary'],
    ['postgresql', 'character varying(40)', { type: 'string', maxLength: 40 }, 'string'],
    ['postgresql', 'double precision', { type: 'number' }, 'number'],
    ['mysql', 'int(10) unsigned', { type: 'integer', minimum: 0, maximum: 4294967295 }, 'integer'],
    ['mysql', 'bigint(20) unsigned', { type: 'string', pattern: '^-?[0-9]+$' }, 'bigint'],
    ['mysql', 'tinyint(1)', { type: 'boolean' }, 'boolean'],
    ['mysql', 'datetime(6)', { type: 'string' }, 'timestamp'],
    ['mysql', 'timestamp', { type: 'string', format: 'date-time' }, 'timestamptz'],
    ['mysql', 'longblob', { type: 'string', contentEncoding: 'base64' }, 'binary'],
  ] as const)('%s %s is %j, bound as %s', (system, type, schema, codec) => {
    const mapped = columnType({ name: 'c', type, nullable: false }, system);
    expect(mapped.schema).toMatchObject(schema);
    expect(mapped.column.codec).toBe(codec);
  });

  it.each([
    ['not JSON', '{"format": ', /^the schema snapshot is not JSON/, ''],
    ['another format', { ...SHOP, format: 'prisma' }, /^format must be intctl.dev\/schema-snapshot\/v1/, '/format'],
    ['the other database system', { ...SHOP, system: 'mysql', dialect: 'mariadb' }, /^is "mysql", but the integration is of system postgresql/, '/system'],
    ['a column without a type', { ...SHOP, tables: [{ ...SHOP.tables[0], columns: [{ name: 'id', nullable: false }] }] }, /^must be a non-empty string/, '/tables/0/columns/0/type'],
    ['a key naming no column', { ...SHOP, tables: [{ ...SHOP.tables[0], primaryKey: ['nope'] }] }, /^column nope is not a column of the table/, '/tables/0/primaryKey/0'],
    ['tables that are not a list', { ...SHOP, tables: 'customers' }, /^must be a list of tables/, '/tables'],
  ])('refuses a snapshot with %s, naming where in the file', async (_what, snapshot, message, at) => {
    const model = await postgresqlGenerator.parse(encode(snapshot), {});
    expect(model.ok).toBe(false);
    if (!model.ok) expect(model.problems).toContainEqual(expect.objectContaining({ reason: 'SpecificationInvalid', pointer: at, message: expect.stringMatching(message) }));
  });

  it('generates the same bytes twice, for MySQL too', async () => {
    const snapshot = JSON.parse(new TextDecoder().decode(fixture('shop-mysql.schema.json')));
    const a = await generate(snapshot, {}, mysqlGenerator);
    expect(JSON.stringify(await generate(snapshot, {}, mysqlGenerator))).toBe(JSON.stringify(a));
    expect((a.definitions.Customer!.properties as Record<string, JsonSchema>).active).toEqual({ type: 'boolean' });
  });
});
