import { describe, expect, it } from 'vitest';
import type { ActionCatalog, CatalogAction, JsonSchema } from '../../controller/core/catalog.ts';
import { diffCatalogs } from '../../controller/artifact/diff-catalogs.ts';

function action(name: string): CatalogAction {
  return {
    name,
    kind: 'Get',
    entity: 'customers',
    source: '/paths/~1customers~1{id}/get',
    input: { $ref: `#/definitions/${name}Input` },
    output: { $ref: '#/definitions/Customer' },
    request: { method: 'GET', path: '/customers/{id}', pathParameters: {}, query: [], headers: [], response: { pointer: '' } },
  };
}

const customer: JsonSchema = { type: 'object', properties: { id: { type: 'string' }, email: { type: 'string' }, tier: { type: 'string', enum: ['gold', 'silver'] } }, additionalProperties: false };
const input: JsonSchema = { type: 'object', properties: { id: { type: 'string' }, expand: { type: ['string', 'null'] } }, required: ['id'], additionalProperties: false };

function catalog(change: (c: ActionCatalog) => void = () => undefined): ActionCatalog {
  const c: ActionCatalog = {
    integration: 'crm',
    system: 'openapi',
    generator: { system: 'openapi', version: '1.0.0' },
    specification: { path: 'crm.yaml', format: 'OpenAPI 3.0.3' },
    entities: [{ name: 'customers', typeName: 'Customer', key: ['id'], actions: ['GetCustomer'], source: '/paths/~1customers' }],
    actions: [action('GetCustomer')],
    definitions: { Customer: structuredClone(customer), GetCustomerInput: structuredClone(input) },
  };
  change(c);
  return c;
}

const props = (c: ActionCatalog, def: string) => (c.definitions[def] as { properties: Record<string, JsonSchema> }).properties;

describe('diffCatalogs', () => {
  it.each<[string, (c: ActionCatalog) => void, Array<[string, string, string?]>]>([
    ['nothing changed', () => undefined, []],
    ['an action removed', (c) => { c.actions = []; }, [['breaking', 'ActionRemoved']]],
    ['an entity removed', (c) => { c.entities = []; }, [['breaking', 'EntityRemoved']]],
    ['an output field removed', (c) => { delete props(c, 'Customer').email; }, [['breaking', 'OutputFieldRemoved', 'output.email']]],
    ['an output field added', (c) => { props(c, 'Customer').phone = { type: 'string' }; }, [['compatible', 'OutputFieldAdded', 'output.phone']]],
    ['an input became required', (c) => { (c.definitions.GetCustomerInput as { required: string[] }).required = ['expand', 'id']; }, [['breaking', 'InputBecameRequired', 'input.expand']]],
    ['an input type narrowed', (c) => { props(c, 'GetCustomerInput').expand = { type: 'string' }; }, [['breaking', 'TypeNarrowed', 'input.expand']]],
    ['an output enum value added', (c) => { props(c, 'Customer').tier = { type: 'string', enum: ['gold', 'silver', 'bronze'] }; }, [['breaking', 'TypeWidened', 'output.tier']]],
    ['an optional input added', (c) => { props(c, 'GetCustomerInput').fields = { type: 'string' }; }, [['compatible', 'InputAdded', 'input.fields']]],
    ['an action added', (c) => { c.actions.push(action('PingCustomer')); c.definitions.PingCustomerInput = { type: 'object', properties: {} }; }, [['compatible', 'ActionAdded']]],
  ])('%s', (_name, change, expected) => {
    const changes = diffCatalogs(catalog(), catalog(change));
    expect(changes.map((c) => [c.severity, c.kind, ...(c.path ? [c.path] : [])])).toEqual(expected);
  });

  it('lists breaking changes first', () => {
    const after = catalog((c) => {
      props(c, 'Customer').phone = { type: 'string' };
      delete props(c, 'Customer').email;
      c.actions.push(action('AGetCustomer'));
      c.definitions.AGetCustomerInput = { type: 'object', properties: {} };
    });
    expect(diffCatalogs(catalog(), after).map((c) => c.severity)).toEqual(['breaking', 'compatible', 'compatible']);
  });

  it('terminates on self-referencing definitions', () => {
    const recursive = (c: ActionCatalog) => { props(c, 'Customer').parent = { $ref: '#/definitions/Customer' }; };
    expect(diffCatalogs(catalog(recursive), catalog(recursive))).toEqual([]);
  });
});
