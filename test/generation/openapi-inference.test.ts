import { describe, expect, it } from 'vitest';
import { openapiGenerator } from '../../controller/generators/openapi/openapi-generator.ts';
import { describeSpec, generateFrom, integration } from './support.ts';

type Json = Record<string, unknown>;

/** A small OpenAPI 3.0 document from its paths (and component schemas). */
function document(paths: Json, schemas: Json = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ openapi: '3.0.3', info: { title: 'Small', version: '1' }, paths, components: { schemas } }));
}

const json = (schema: unknown, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const param = (name: string, extra: Json = {}): Json => ({ name, in: 'path', required: true, schema: { type: 'string' }, ...extra });
const op = (operationId: string, response: unknown, extra: Json = {}): Json => ({ operationId, responses: { '200': json(response) }, ...extra });

async function described(bytes: Uint8Array) {
  const result = await describeSpec(openapiGenerator, bytes);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

async function catalog(bytes: Uint8Array) {
  const result = await generateFrom(openapiGenerator, bytes, { name: 'small', spec: integration('openapi', 'small.json').spec, specPath: 'small.json', dependencies: {} });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const COMMENT = { type: 'object', properties: { id: { type: 'integer' }, body: { type: 'string' } } };

describe('every operation becomes an action with a name of its own', () => {
  const comments = document({
    '/repos/{owner}/{repo}/issues/comments': { get: op('issues/list-comments-for-repo', { type: 'array', items: ref('comment') }, { parameters: [param('owner'), param('repo')] }) },
    '/repos/{owner}/{repo}/issues/comments/{comment_id}': {
      parameters: [param('owner'), param('repo'), param('comment_id')],
      get: op('issues/get-comment', ref('comment')),
      patch: op('issues/update-comment', ref('comment'), { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { body: { type: 'string' } } } } } } }),
      delete: { operationId: 'issues/delete-comment', responses: { '204': { description: 'Deleted' } } },
    },
    '/repos/{owner}/{repo}/issues/{issue_number}/comments': {
      parameters: [param('owner'), param('repo'), param('issue_number')],
      get: op('issues/list-comments', { type: 'array', items: ref('comment') }),
      post: op('issues/create-comment', ref('comment'), { requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { body: { type: 'string' } }, required: ['body'] } } } } }),
    },
    '/user/{account_id}': { get: op('users/get-by-id', ref('comment'), { parameters: [param('account_id')] }) },
    '/users/{username}': { get: op('users/get-by-username', ref('comment'), { parameters: [param('username')] }) },
    '/users': { get: op('users/list', { type: 'array', items: ref('comment') }) },
  }, { comment: COMMENT });

  it('names collections whose static segments collide by their whole path, an item segment read as one item', async () => {
    const d = await described(comments);
    expect(d.entities.map((e) => [e.name, e.operations])).toEqual([
      ['repos/{owner}/{repo}/issues/comments', ['Get', 'Search', 'Update', 'Delete']],
      ['repos/{owner}/{repo}/issues/{issue_number}/comments', ['Search', 'Create']],
      ['user', ['Get']],
      ['users', ['Get', 'Search']],
    ]);
    const c = await catalog(comments);
    expect(c.actions.map((a) => a.name)).toEqual([
      'CreateRepoIssueComment', 'DeleteRepoIssuesComment', 'GetRepoIssuesComment', 'GetUserByAccountId', 'GetUserByUsername',
      'SearchRepoIssueComments', 'SearchRepoIssuesComments', 'SearchUsersByUsername', 'UpdateRepoIssuesComment',
    ]);
  });

  it('gives each of the document operations one action, whatever order the paths are listed in', async () => {
    const text = new TextDecoder().decode(comments);
    const parsed = JSON.parse(text) as { paths: Json };
    const reversed = document(Object.fromEntries(Object.entries(parsed.paths).reverse()), { comment: COMMENT });
    const [a, b] = [await catalog(comments), await catalog(reversed)];
    expect(a.actions.map((x) => x.source).sort()).toHaveLength(9);
    expect(b.actions).toEqual(a.actions);
  });

  it('keeps the short name where nothing collides', async () => {
    const d = await described(document({
      '/customers': { get: op('listCustomers', { type: 'array', items: ref('comment') }) },
      '/customers/{id}': { get: op('getCustomer', ref('comment'), { parameters: [param('id')] }) },
      '/orders/{id}/lines': { get: op('listLines', { type: 'array', items: ref('comment') }, { parameters: [param('id')] }) },
    }, { comment: COMMENT }));
    expect(d.entities.map((e) => e.name)).toEqual(['customers', 'lines']);
  });

  it('refuses two operations with one operationId, naming both paths, rather than dropping one', async () => {
    const result = await openapiGenerator.parse(document({
      '/a': { post: op('doIt', { type: 'string' }) },
      '/b': { post: op('doIt', { type: 'string' }) },
    }), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ reason: 'SpecificationInvalid', pointer: '/paths/~1b/post/operationId' });
    expect(result.problems[0]!.message).toMatch(/operationId doIt is used twice, by POST \/a and POST \/b/);
  });
});

describe('entities are inferred from the shape of the answers, not only from paths', () => {
  it('makes a static verb-like segment under a collection a function (/pet/findByStatus)', async () => {
    const d = await described(document({
      '/pet': { post: op('addPet', ref('pet'), { requestBody: { content: { 'application/json': { schema: ref('pet') } } } }) },
      '/pet/{petId}': { get: op('getPetById', ref('pet'), { parameters: [param('petId')] }) },
      '/pet/findByStatus': { get: op('findPetsByStatus', { type: 'array', items: ref('pet') }) },
    }, { pet: COMMENT }));
    expect(d.entities.map((e) => [e.name, e.operations])).toEqual([['pet', ['Get', 'Create']]]);
    expect(d.functions.map((f) => f.name)).toEqual(['findPetsByStatus']);
  });

  it('makes a GET of one object with an array among its fields a function, not a Search over that array (GET /app)', async () => {
    const app = { type: 'object', properties: { id: { type: 'integer' }, owner: { type: 'object', properties: { login: { type: 'string' } } }, events: { type: 'array', items: { type: 'string' } } } };
    const runner = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, labels: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } } } };
    const d = await described(document({
      '/app': { get: op('apps/get-authenticated', app) },
      '/runner': { get: op('runners/get-current', runner) },
      '/runs': { get: op('runs/list', { type: 'object', properties: { total_count: { type: 'integer' }, workflow_runs: { type: 'array', items: runner } } }) },
    }));
    expect(d.entities.map((e) => [e.name, e.operations])).toEqual([['runs', ['Search']]]);
    expect(d.functions.map((f) => f.name)).toEqual(['apps/get-authenticated', 'runners/get-current']);
  });

  it('makes a list endpoint under a path parameter a Search, and a path under it its item', async () => {
    const d = await described(document({
      '/items/{collection}': { get: op('listItems', { type: 'array', items: ref('item') }, { parameters: [param('collection')] }) },
      '/items/{collection}/{id}': { get: op('getItem', ref('item'), { parameters: [param('collection'), param('id')] }) },
    }, { item: COMMENT }));
    expect(d.entities.map((e) => [e.name, e.operations])).toEqual([['items', ['Get', 'Search']]]);
    const c = await catalog(document({
      '/items/{collection}': { get: op('listItems', { type: 'array', items: ref('item') }, { parameters: [param('collection')] }) },
    }, { item: COMMENT }));
    expect(c.actions.map((a) => [a.name, a.request.path])).toEqual([['SearchItems', '/items/{collection}']]);
    expect(c.definitions.SearchItemsInput).toMatchObject({ required: ['collection'] });
  });
});
