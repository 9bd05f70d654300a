import { describe, expect, it } from 'vitest';
import type { RequestTemplate } from '../../controller/core/catalog.ts';
import { buildRequest } from '../../controller/action-runtime/build-request.ts';
import { filterExpression, odataFilter, odataLiteral, odataOrderBy } from '../../controller/action-runtime/odata-expressions.ts';
import { scrubSecrets } from '../../controller/action-runtime/scrub-secrets.ts';
import { upstreamFailure } from '../../controller/action-runtime/upstream-failure.ts';

describe('OData expressions', () => {
  it.each([
    ["O'Brien", "'O''Brien'"],
    [42, '42'],
    [1.5, '1.5'],
    [true, 'true'],
    [null, 'null'],
  ])('literal of %j is %s', (value, literal) => {
    expect(odataLiteral(value)).toBe(literal);
  });

  it.each([
    [{ attribute: 'stock', operator: 'gt', value: 10 }, 'stock gt 10'],
    [{ attribute: 'title', operator: 'eq', value: 'Emma' }, "title eq 'Emma'"],
    [{ attribute: 'title', operator: 'startswith', value: 'Em' }, "startswith(title,'Em')"],
    [{ attribute: 'title', operator: 'contains', value: 'mm' }, "contains(title,'mm')"],
    [{ attribute: 'title', operator: 'substringof', value: 'mm' }, "substringof('mm',title)"],
    [{ attribute: 'ID', operator: 'in', value: [1, 2] }, 'ID in (1,2)'],
  ])('filter %j is %s', (filter, expression) => {
    expect(filterExpression(filter)).toBe(expression);
  });

  it.each([
    [undefined, undefined, undefined],
    [[], '', undefined],
    [[{ attribute: 'a', operator: 'eq', value: 1 }], undefined, 'a eq 1'],
    [undefined, 'b lt 2 or c eq 3', 'b lt 2 or c eq 3'],
    [[{ attribute: 'a', operator: 'eq', value: 1 }, { attribute: 'd', operator: 'ne', value: 'x' }], 'b lt 2 or c eq 3', "a eq 1 and d ne 'x' and (b lt 2 or c eq 3)"],
  ])('$filter of %j and %j is %s', (filters, advanced, expected) => {
    expect(odataFilter(filters, advanced)).toBe(expected);
  });

  it.each([
    [undefined, undefined, undefined],
    [[{ attribute: 'title' }, { attribute: 'stock', direction: 'desc' as const }], undefined, 'title asc,stock desc'],
    [[{ attribute: 'title' }], 'price desc', 'title asc,price desc'],
  ])('$orderby of %j and %j is %s', (order, advanced, expected) => {
    expect(odataOrderBy(order, advanced)).toBe(expected);
  });
});

const template = (parts: Partial<RequestTemplate>): RequestTemplate => ({ method: 'GET', path: '/', pathParameters: {}, query: [], headers: [], response: { pointer: '' }, ...parts });

describe('buildRequest', () => {
  it.each([
    {
      title: 'an OData key, quoted, under an endpoint with a path',
      template: template({ path: "/Books({ID})", pathParameters: { ID: { name: 'ID', from: ['/ID'], format: 'odata-key' } } }),
      input: { ID: "O'Neil 1" },
      url: "https://s.example.com/odata/v4/Books('O''Neil%201')",
    },
    {
      title: 'a composite OData key',
      template: template({ path: '/Lines(Order={Order},Item={Item})', pathParameters: { Order: { name: 'Order', from: ['/Order'], format: 'odata-key' }, Item: { name: 'Item', from: ['/Item'], format: 'odata-key' } } }),
      input: { Order: '42', Item: 10 },
      url: "https://s.example.com/odata/v4/Lines(Order='42',Item=10)",
    },
    {
      title: 'a plain path parameter, encoded',
      template: template({ path: '/items/{id}', pathParameters: { id: { name: 'id', from: ['/id'], format: 'plain' } } }),
      input: { id: 'a/b c' },
      url: 'https://s.example.com/odata/v4/items/a%2Fb%20c',
    },
    {
      title: 'search parameters, with spaces as %20 and $ kept in names',
      template: template({
        path: '/Books',
        query: [
          { name: '$filter', from: ['/filters', '/filter'], format: 'odata-filter' },
          { name: '$orderby', from: ['/orderBy', '/order'], format: 'odata-orderby' },
          { name: '$top', from: ['/top'], format: 'plain' },
          { name: '$skip', from: ['/skip'], format: 'plain' },
        ],
      }),
      input: { filters: [{ attribute: 'title', operator: 'eq', value: 'A B' }], orderBy: [{ attribute: 'title', direction: 'desc' }], top: 3 },
      url: 'https://s.example.com/odata/v4/Books?$filter=title%20eq%20%27A%20B%27&$orderby=title%20desc&$top=3',
    },
    {
      title: 'a basic eq filter as its own query parameter, a list repeated, an ordering as a csv',
      template: template({
        path: '/items',
        query: [
          { name: 'location', from: ['/filters'], format: 'plain', attribute: 'location' },
          { name: 'tag', from: ['/tags'], format: 'plain' },
          { name: 'sort', from: ['/orderBy', '/order'], format: 'csv' },
        ],
      }),
      input: { filters: [{ attribute: 'location', operator: 'eq', value: 'A1' }], tags: ['x', 'y'], orderBy: [{ attribute: 'name' }, { attribute: 'qty', direction: 'desc' }] },
      url: 'https://s.example.com/odata/v4/items?location=A1&tag=x&tag=y&sort=name%2C-qty',
    },
  ])('fills $title', ({ template: t, input, url }) => {
    expect(buildRequest(t, input, 'https://s.example.com/odata/v4/').url.toString()).toBe(url);
  });

  it("keeps the endpoint's own query and adds the connection's fixed parameters after the action's", () => {
    const built = buildRequest(template({ path: '/A', query: [{ name: '$format', value: 'json', format: 'plain' }] }), {}, 'https://s.example.com/sap/SRV?x=1', { 'sap-client': '200' });
    expect(built.url.toString()).toBe('https://s.example.com/sap/SRV/A?x=1&$format=json&sap-client=200');
  });

  it('takes the body from the input, with its content type, and constant headers', () => {
    const built = buildRequest(
      template({ method: 'POST', path: '/items', headers: [{ name: 'Accept', value: 'application/json', format: 'plain' }], body: { from: '/record', contentType: 'application/json' } }),
      { record: { name: 'bolt' } },
      'https://s.example.com',
    );
    expect(built).toMatchObject({ method: 'POST', body: '{"name":"bolt"}', headers: { accept: 'application/json', 'content-type': 'application/json' } });
  });

  it('refuses a path parameter without a value', () => {
    expect(() => buildRequest(template({ path: '/items/{id}', pathParameters: { id: { name: 'id', from: ['/id'], format: 'plain' } } }), {}, 'https://s.example.com')).toThrow(RangeError);
  });
});

describe('error bodies', () => {
  it.each([
    [{ status: 404, contentType: 'application/json', body: { error: { code: '404', message: 'Not Found' } } }, 'UpstreamNotFound', { status: 404, code: '404', message: 'Not Found' }],
    [{ status: 400, contentType: 'application/json', body: { error: { code: 'SY/530', message: { lang: 'en', value: 'Bad key' } } } }, 'UpstreamRejected', { status: 400, code: 'SY/530', message: 'Bad key' }],
    [{ status: 422, contentType: 'application/problem+json', body: { type: 'about:blank', title: 'Invalid', detail: 'qty < 0' } }, 'UpstreamRejected', { status: 422, code: 'about:blank', message: 'qty < 0' }],
    [{ status: 429, contentType: 'text/plain', body: 'slow down' }, 'UpstreamThrottled', { status: 429, message: 'slow down' }],
    [{ status: 503, contentType: 'text/html', body: '<html><h1>Service Unavailable</h1></html>' }, 'UpstreamFailed', { status: 503, message: 'Service Unavailable' }],
    [{ status: 403, contentType: '', body: undefined }, 'UpstreamUnauthorized', { status: 403 }],
  ])('maps %j to %s', (answer, reason, upstream) => {
    expect(upstreamFailure(answer, 'https://s.example.com').body).toMatchObject({ error: 'ActionFailed', reason, upstream });
  });

  it('takes every opened secret out of the texts of an error body', () => {
    const body = upstreamFailure({ status: 401, contentType: 'application/json', body: { code: 'Bad', message: 'key s3cr3t-key is wrong' } }, 'https://s.example.com').body;
    expect(scrubSecrets(body, ['s3cr3t-key'])).toEqual({
      error: 'ActionFailed',
      reason: 'UpstreamUnauthorized',
      message: 'https://s.example.com answered 401 Bad: key [redacted] is wrong',
      upstream: { status: 401, code: 'Bad', message: 'key [redacted] is wrong' },
    });
  });
});
