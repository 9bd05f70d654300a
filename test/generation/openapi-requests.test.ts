import { describe, expect, it } from 'vitest';
import { buildRequest } from '../../controller/action-runtime/build-request.ts';
import { ValidatorCache } from '../../controller/action-runtime/action-validators.ts';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { EntitySelection } from '../../controller/generated/manifests.ts';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { fixture, generateFrom, integration } from './support.ts';

type Json = Record<string, unknown>;

const document = (paths: Json, schemas: Json = {}): Uint8Array =>
  new TextEncoder().encode(JSON.stringify({ openapi: '3.0.3', info: { title: 'Small', version: '1' }, paths, components: { schemas } }));
const json = (schema: unknown): Json => ({ description: 'OK', content: { 'application/json': { schema } } });
const body = (schema: unknown): Json => ({ required: true, content: { 'application/json': { schema } } });
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const path = (name: string): Json => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const query = (name: string, schema: Json = { type: 'string' }, required = false): Json => ({ name, in: 'query', required, schema });

async function catalog(bytes: Uint8Array, selection: { entities?: EntitySelection[]; functions?: string[] } = {}): Promise<ActionCatalog> {
  const result = await generateFrom(openapiGenerator, bytes, { name: 'small', spec: integration('openapi', 'small.json', selection).spec, specPath: 'small.json', dependencies: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

/** Whether an action's input schema takes a value, compiled as the runtime compiles it. */
function accepts(c: ActionCatalog, action: string, input: unknown): boolean {
  const found = c.actions.find((a) => a.name === action);
  if (!found) throw new Error(`no action ${action}`);
  return new ValidatorCache().validators('test', c, found).input(input);
}

/** An issue as an API answers with it, and the body it takes to create one: logins, not user objects. */
const ISSUES = document({
  '/repos/{owner}/{repo}/issues': {
    parameters: [path('owner'), path('repo')],
    get: {
      operationId: 'listIssues',
      parameters: [query('state', { type: 'string', enum: ['open', 'closed'] }), query('sort', { type: 'string', enum: ['created', 'comments'] }), query('direction', { type: 'string', enum: ['asc', 'desc'] }), query('since', { type: 'string', format: 'date-time' }), query('per_page', { type: 'integer' }), query('before'), query('after'), { name: 'X-Trace', in: 'header', schema: { type: 'string' } }, { name: 'Accept', in: 'header', schema: { type: 'string' } }],
      responses: { '200': json({ type: 'array', items: ref('issue') }) },
    },
    post: { operationId: 'createIssue', parameters: [query('record', { type: 'boolean' })], requestBody: body(ref('issue-create')), responses: { '201': json(ref('issue')) } },
  },
  '/repos/{owner}/{repo}/issues/{issue_number}': {
    parameters: [path('owner'), path('repo'), { name: 'issue_number', in: 'path', required: true, schema: { type: 'integer' } }],
    get: { operationId: 'getIssue', responses: { '200': json(ref('issue')) } },
    patch: { operationId: 'updateIssue', requestBody: body({ type: 'object', properties: { title: { type: 'string' }, state: { type: 'string', enum: ['open', 'closed'] }, assignees: { type: 'array', items: { type: 'string' } } } }), responses: { '200': json(ref('issue')) } },
  },
  '/repos/{owner}/{repo}/issues/{issue_number}/lock': {
    parameters: [path('owner'), path('repo'), path('issue_number')],
    put: { operationId: 'lockIssue', responses: { '204': { description: 'Locked' } } },
  },
  '/boards/{board}/cards': {
    parameters: [path('board')],
    get: { operationId: 'listCards', parameters: [query('column', { type: 'string', enum: ['todo', 'done'] }, true), query('page', { type: 'integer' })], responses: { '200': json({ type: 'array', items: ref('card') }) } },
  },
  '/boards/{board}/cards/{card}': {
    parameters: [path('board'), path('card')],
    get: { operationId: 'getCard', responses: { '200': json(ref('card')) } },
    put: { operationId: 'replaceCard', responses: { '204': { description: 'Replaced' } } },
  },
}, {
  user: { type: 'object', properties: { login: { type: 'string' }, id: { type: 'integer' } } },
  issue: { type: 'object', required: ['id', 'title'], properties: { id: { type: 'integer', readOnly: true }, number: { type: 'integer' }, title: { type: 'string' }, state: { type: 'string' }, comments: { type: 'integer' }, assignees: { type: 'array', items: ref('user') }, user: ref('user') } },
  'issue-create': { type: 'object', required: ['title'], properties: { id: { type: 'integer', readOnly: true }, title: { type: 'string' }, body: { type: 'string' }, assignees: { type: 'array', items: { type: 'string' } }, milestone: { type: 'integer' } } },
  card: { type: 'object', properties: { id: { type: 'string' }, column: { type: 'string' } } },
});

const record = (c: ActionCatalog, action: string): Json => ((c.definitions[`${action}Input`] as { properties: Json }).properties.record as Json);

describe('Create and Update take the request body, not the read model', () => {
  it('offers the body fields with their own types and required list, leaving read-only ones out', async () => {
    const c = await catalog(ISSUES);
    expect(record(c, 'CreateIssue')).toEqual({
      type: 'object',
      properties: { title: { type: 'string' }, body: { type: 'string' }, assignees: { type: 'array', items: { type: 'string' } }, milestone: { type: 'integer' } },
      required: ['title'],
      additionalProperties: false,
    });
    expect(accepts(c, 'CreateIssue', { owner: 'o', repo: 'r', record: { title: 'Bug', assignees: ['octocat'] } })).toBe(true);
    expect(accepts(c, 'CreateIssue', { owner: 'o', repo: 'r', record: { body: 'no title' } })).toBe(false);
    expect(Object.keys(record(c, 'UpdateIssue').properties as Json)).toEqual(['title', 'state', 'assignees']);
  });

  it('keeps the fields only the body has, and the required ones, under an attributes selection', async () => {
    const c = await catalog(ISSUES, { entities: [{ name: 'issues', operations: ['Create', 'Update'], attributes: ['state'] }], functions: [] });
    expect(Object.keys(record(c, 'CreateIssue').properties as Json)).toEqual(['title', 'body', 'milestone']);
    expect(Object.keys(record(c, 'UpdateIssue').properties as Json)).toEqual(['state']);
  });

  it('sends no record where the request takes no body', async () => {
    const c = await catalog(ISSUES, { entities: [{ name: 'cards', operations: ['Update'] }], functions: [] });
    expect(c.definitions.UpdateCardInput).toEqual({ type: 'object', properties: { board: { type: 'string' }, card: { type: 'string' } }, required: ['board', 'card'], additionalProperties: false });
    expect(c.actions[0]!.request.body).toBeUndefined();
  });
});

describe('every declared parameter is an input', () => {
  it('keeps optional query and header parameters that are not filters or paging, and sends them', async () => {
    const c = await catalog(ISSUES);
    const input = c.definitions.SearchIssuesInput as { properties: Json; required: string[] };
    expect(Object.keys(input.properties).sort()).toEqual(['X-Trace', 'after', 'before', 'filters', 'order', 'orderBy', 'owner', 'per_page', 'repo', 'since']);
    expect(input.required).toEqual(['owner', 'repo']);
    const search = c.actions.find((a) => a.name === 'SearchIssues')!;
    const built = buildRequest(search.request, { owner: 'o', repo: 'r', since: '2024-01-01T00:00:00Z', per_page: 5, after: 'Y3Vy', 'X-Trace': 't1' }, 'https://api.example.com');
    expect(built.url.search).toBe('?since=2024-01-01T00%3A00%3A00Z&per_page=5&after=Y3Vy');
    expect(built.headers['x-trace']).toBe('t1');
    expect(built.headers.accept).toBe('application/json');
  });

  it('keeps a required parameter that is also an attribute required, with its enum, and renames one that an input already has', async () => {
    const c = await catalog(ISSUES, { entities: [{ name: 'cards', operations: ['Search'] }, { name: 'issues', operations: ['Create'] }], functions: [] });
    expect(c.definitions.SearchCardsInput).toMatchObject({
      properties: { column: { type: 'string', enum: ['todo', 'done'] }, page: { type: 'integer' } },
      required: ['board', 'column'],
    });
    expect((c.definitions.CreateIssueInput as { properties: Json }).properties.record_query).toEqual({ type: 'boolean' });
    expect(accepts(c, 'SearchCards', { board: 'b' })).toBe(false);
    expect(accepts(c, 'SearchCards', { board: 'b', column: 'doing' })).toBe(false);
    const search = c.actions.find((a) => a.name === 'SearchCards')!;
    expect(buildRequest(search.request, { board: 'b', column: 'todo', page: 2 }, 'https://api.example.com').url.search).toBe('?column=todo&page=2');
    const create = c.actions.find((a) => a.name === 'CreateIssue')!;
    const built = buildRequest(create.request, { owner: 'o', repo: 'r', record_query: true, record: { title: 'T' } }, 'https://api.example.com');
    expect([built.url.search, built.body]).toEqual(['?record=true', '{"title":"T"}']);
  });
});

describe('ordering follows the API’s own parameters', () => {
  it('sends sort and direction where the API takes both, one criterion', async () => {
    const c = await catalog(ISSUES);
    const search = c.actions.find((a) => a.name === 'SearchIssues')!;
    expect((c.definitions.SearchIssuesInput as { properties: Record<string, Json> }).properties.orderBy).toMatchObject({ maxItems: 1, items: { properties: { attribute: { enum: ['comments'] } } } });
    const send = (input: Json) => buildRequest(search.request, { owner: 'o', repo: 'r', ...input }, 'https://api.example.com').url.search;
    expect(send({ orderBy: [{ attribute: 'comments', direction: 'desc' }] })).toBe('?sort=comments&direction=desc');
    expect(send({ orderBy: [{ attribute: 'comments' }] })).toBe('?sort=comments&direction=asc');
    expect(send({ order: '-comments' })).toBe('?sort=comments&direction=desc');
    expect(send({ order: 'created' })).toBe('?sort=created&direction=asc');
    expect(send({})).toBe('');
  });

  it('keeps one comma-separated list where the API takes no direction of its own', async () => {
    const c = await catalog(fixture('shop-openapi.yaml'));
    const search = c.actions.find((a) => a.name === 'SearchProducts')!;
    expect(buildRequest(search.request, { orderBy: [{ attribute: 'price', direction: 'desc' }, { attribute: 'name' }] }, 'https://api.example.com').url.search).toBe('?orderBy=-price%2Cname');
  });
});
