import { describe, expect, it } from 'vitest';
import type { ActionCatalog, CatalogAction, JsonSchema } from '../../controller/core/catalog.ts';
import { diffCatalogs } from '../../controller/artifact/diff-catalogs.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { generateFrom, integration } from './support.ts';

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

describe('diffCatalogs over two versions of an OpenAPI document', () => {
  type Json = Record<string, unknown>;
  const issue = { type: 'object', properties: { id: { type: 'integer' }, title: { type: 'string' }, state: { type: 'string' } } };
  /** The document, with its list parameters and create body given. */
  const version = (parameters: Json[], body: Json): Uint8Array => new TextEncoder().encode(JSON.stringify({
    openapi: '3.0.3',
    info: { title: 'Issues', version: '1' },
    paths: {
      '/issues': {
        get: { operationId: 'listIssues', parameters, responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'array', items: issue } } } } } },
        post: { operationId: 'createIssue', requestBody: { required: true, content: { 'application/json': { schema: body } } }, responses: { '201': { description: 'OK', content: { 'application/json': { schema: issue } } } } },
      },
      '/issues/{id}': { get: { operationId: 'getIssue', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }], responses: { '200': { description: 'OK', content: { 'application/json': { schema: issue } } } } } },
    },
  }));
  const state = (extra: Json = {}): Json => ({ name: 'state', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] }, ...extra });
  const since = (extra: Json = {}): Json => ({ name: 'since', in: 'query', schema: { type: 'string' }, ...extra });
  const body = (properties: Json = { title: { type: 'string' }, labels: { type: 'string', nullable: true } }): Json => ({ type: 'object', required: ['title'], properties });
  const before = version([state(), since()], body());

  async function changes(after: Uint8Array): Promise<Array<[string, string, string, string]>> {
    const generate = async (bytes: Uint8Array) => {
      const result = await generateFrom(openapiGenerator, bytes, { name: 'issues', spec: integration('openapi', 'issues.json').spec, specPath: 'issues.json', dependencies: {} });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.value;
    };
    return diffCatalogs(await generate(before), await generate(after)).map((c) => [c.severity, c.kind, c.path ?? '', c.message]);
  }

  it.each<[string, Uint8Array, Array<[string, string, string]>]>([
    ['an optional parameter made required', version([state(), since({ required: true })], body()), [['breaking', 'InputBecameRequired', 'input.since']]],
    ['an optional parameter that is also a filter made required', version([state({ required: true }), since()], body()), [
      ['breaking', 'InputBecameRequired', 'input.state'],
      ['breaking', 'InputRemoved', 'input.filters'],
    ]],
    ['a body field removed', version([state(), since()], body({ title: { type: 'string' } })), [['breaking', 'InputRemoved', 'input.record.labels']]],
    ['a body field narrowed', version([state(), since()], body({ title: { type: 'string' }, labels: { type: 'string' } })), [['breaking', 'TypeNarrowed', 'input.record.labels']]],
    ['a parameter narrowed', version([state(), since({ schema: { type: 'string', enum: ['today'] } })], body()), [['breaking', 'TypeNarrowed', 'input.since']]],
    ['a parameter that is also a filter narrowed', version([state({ schema: { type: 'string', enum: ['open'] } }), since()], body()), [['breaking', 'TypeNarrowed', 'input.filters[](attribute=state).value']]],
  ])('flags %s as breaking', async (_name, after, expected) => {
    const found = await changes(after);
    expect(found.filter((c) => c[0] === 'breaking').map(([severity, kind, path]) => [severity, kind, path])).toEqual(expect.arrayContaining(expected));
    for (const [, , , message] of found) expect(message).not.toMatch(/\b(input input|output output)\b/);
  });

  it('says where, naming the side once', async () => {
    const found = await changes(version([state(), since({ required: true })], body({ title: { type: 'string' } })));
    expect(found.map((c) => c[3])).toEqual(expect.arrayContaining(['SearchIssues: input since became required', 'CreateIssue: input record.labels is no longer accepted']));
  });
});
