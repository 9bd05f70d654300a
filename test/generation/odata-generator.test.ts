import { describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import { odataGenerator } from '../../controller/generators/odata/odata-generator.ts';
import { describeSpec, fixture, generateFrom, integration } from './support.ts';

async function generate(file: string, selection = {}, odataVersion?: 'v2' | 'v4'): Promise<ActionCatalog> {
  const spec = integration('odata', file, selection).spec;
  if (odataVersion) spec.source.odataVersion = odataVersion;
  const result = await generateFrom(odataGenerator, fixture(file), { name: 'demo', spec, specPath: file, dependencies: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

describe('the OData generator reads what each entity set allows', () => {
  it.each([
    ['sales-v2.edmx', 'A_SalesOrder', ['Get', 'Search', 'Count', 'Create', 'Update']],
    ['sales-v2.edmx', 'A_SalesOrderItem', ['Get', 'Search', 'Create', 'Update', 'Delete']],
    ['crm-v4.edmx', 'accounts', ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete']],
    ['crm-v4.edmx', 'auditlogs', ['Get', 'Search', 'Count']],
  ])('%s %s supports %j', async (file, name, operations) => {
    const described = await describeSpec(odataGenerator, fixture(file));
    if (!described.ok) throw new Error('describe failed');
    expect(described.value.entities.find((e) => e.name === name)?.operations).toEqual(operations);
  });

  it('takes attributes of base types first (v4 BaseType), and resolves schema aliases', async () => {
    const described = await describeSpec(odataGenerator, fixture('crm-v4.edmx'));
    if (!described.ok) throw new Error('describe failed');
    expect(described.value.entities.find((e) => e.name === 'accounts')?.attributes).toEqual(['accountid', 'name', 'revenue', 'statecode', 'address', 'createdon']);
    expect(described.value.functions.map((f) => f.name)).toEqual(['Merge', 'WhoAmI']);
  });
});

describe('the OData generator builds requests in the dialect of the version', () => {
  it.each([
    ['sales-v2.edmx', 'GetA_SalesOrder', 'GET', '/A_SalesOrder({SalesOrder})', '/d'],
    ['sales-v2.edmx', 'SearchA_SalesOrders', 'GET', '/A_SalesOrder', '/d/results'],
    ['sales-v2.edmx', 'CountA_SalesOrders', 'GET', '/A_SalesOrder/$count', ''],
    ['sales-v2.edmx', 'UpdateA_SalesOrderItem', 'MERGE', '/A_SalesOrderItem(SalesOrder={SalesOrder},SalesOrderItem={SalesOrderItem})', ''],
    ['sales-v2.edmx', 'ReleaseSalesOrder', 'POST', '/ReleaseSalesOrder', '/d'],
    ['sales-v2.edmx', 'GetOpenOrders', 'GET', '/GetOpenOrders', '/d/results'],
    ['crm-v4.edmx', 'SearchAccounts', 'GET', '/accounts', '/value'],
    ['crm-v4.edmx', 'UpdateAccount', 'PATCH', '/accounts({accountid})', ''],
    ['crm-v4.edmx', 'WhoAmI', 'GET', '/WhoAmI()', ''],
    ['crm-v4.edmx', 'Merge', 'POST', '/Merge', ''],
  ])('%s %s runs %s %s, result at %j', async (file, name, method, path, pointer) => {
    const catalog = await generate(file);
    expect(catalog.actions.find((a) => a.name === name)?.request).toMatchObject({ method, path, response: { pointer } });
  });

  it.each([
    ['sales-v2.edmx', 'A_SalesOrder', 'TotalNetAmount', { type: ['string', 'null'], format: 'decimal', pattern: '^-?[0-9]+(\\.[0-9]+)?$' }],
    ['crm-v4.edmx', 'Account', 'revenue', { type: ['number', 'null'], format: 'decimal' }],
    ['crm-v4.edmx', 'Account', 'statecode', { anyOf: [{ $ref: '#/definitions/State' }, { type: 'null' }] }],
    ['crm-v4.edmx', 'Account', 'accountid', { type: 'string', format: 'uuid' }],
  ])('%s %s.%s is %j', async (file, type, attribute, schema) => {
    const catalog = await generate(file);
    expect((catalog.definitions[type] as { properties: Record<string, unknown> }).properties[attribute]).toEqual(schema);
  });

  it('leaves out of basic filters and ordering what the service cannot filter or order by', async () => {
    const v2 = await generate('sales-v2.edmx');
    const filters = (v2.definitions.SearchA_SalesOrdersInput as { properties: { filters: { items: { properties: { attribute: { enum: string[] } } } } } }).properties.filters;
    expect(filters.items.properties.attribute.enum).toEqual(['CreationDate', 'SalesOrder', 'SoldToParty']);
    const v4 = await generate('crm-v4.edmx');
    const orderBy = (v4.definitions.SearchAccountsInput as { properties: { orderBy: { items: { properties: { attribute: { enum: string[] } } } } } }).properties.orderBy;
    expect(orderBy.items.properties.attribute.enum).toEqual(['accountid', 'createdon', 'name', 'statecode']);
  });

  it('does not send read-only attributes on create', async () => {
    const catalog = await generate('sales-v2.edmx');
    const record = (catalog.definitions.CreateA_SalesOrderInput as { properties: { record: { properties: object } } }).properties.record;
    expect(Object.keys(record.properties).sort()).toEqual(['SoldToParty', 'TotalNetAmount']);
  });
});

describe('the OData generator refuses, with the element path', () => {
  const text = (file: string): string => new TextDecoder().decode(fixture(file));
  it.each([
    ['an Operation the set does not allow', async () => generateFrom(odataGenerator, fixture('sales-v2.edmx'), { name: 'x', spec: integration('odata', 'sales-v2.edmx', { entities: [{ name: 'A_SalesOrder', operations: ['Delete'] }] }).spec, specPath: 'sales-v2.edmx', dependencies: {} }), 'UnsupportedOperation', "/edmx:Edmx/edmx:DataServices/Schema[@Namespace='ZSALES_SRV']/EntityContainer[@Name='ZSALES_SRV_Entities']/EntitySet[@Name='A_SalesOrder']"],
    ['a version other than the manifest says', async () => odataGenerator.parse(fixture('crm-v4.edmx'), { odataVersion: 'v2' }), 'SpecificationInvalid', '/edmx:Edmx/@Version'],
    ['an entity set of an undefined type', async () => odataGenerator.parse(new TextEncoder().encode(text('crm-v4.edmx').replace('EntityType="crm.auditlog"', 'EntityType="crm.nothing"')), {}), 'SpecificationInvalid', "/edmx:Edmx/edmx:DataServices/Schema[@Namespace='Contoso.CRM']/EntityContainer[@Name='System']/EntitySet[@Name='auditlogs']/@EntityType"],
    ['XML that is not well formed', async () => odataGenerator.parse(new TextEncoder().encode(text('crm-v4.edmx').replace('</EntityType>', '')), {}), 'SpecificationInvalid', ''],
  ])('%s', async (_name, run, reason, pointer) => {
    const result = await run();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ reason, pointer });
  });

  it('says where XML is broken by line and column', async () => {
    const result = await odataGenerator.parse(new TextEncoder().encode('<edmx:Edmx Version="4.0">\n  <edmx:DataServices>\n</edmx:Edmx>'), {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.message).toMatch(/line 3, column \d+/);
  });
});
