import { describe, expect, it } from 'vitest';
import type { RequestTemplate } from '../../controller/core/catalog.ts';
import { actionFailure } from '../../controller/action-runtime/action-failure.ts';
import { buildRequest } from '../../controller/action-runtime/build-request.ts';
import { checkAnswerMediaType, type AnswerBody } from '../../controller/action-runtime/check-answer-media-type.ts';
import { describeMissingAction } from '../../controller/action-runtime/describe-missing-action.ts';

const ORIGIN = 'https://api.example.com';
const template = (parts: Partial<RequestTemplate>): RequestTemplate => ({ method: 'GET', path: '/items', pathParameters: {}, query: [], headers: [], response: { pointer: '' }, ...parts });

describe('the Accept header of a request', () => {
  it.each([
    ['application/json, when the catalog records no media type', template({}), 'application/json'],
    ["the catalog's media type", template({ response: { pointer: '', mediaType: 'application/hal+json' } }), 'application/hal+json'],
    ["the template's own Accept binding, over the catalog's", template({ headers: [{ name: 'Accept', value: 'text/plain', format: 'plain' }], response: { pointer: '', mediaType: 'application/hal+json' } }), 'text/plain'],
    ['an Accept binding spelt in any case', template({ headers: [{ name: 'ACCEPT', value: 'application/xml', format: 'plain' }] }), 'application/xml'],
  ])('is %s', (_title, request, accept) => {
    expect(buildRequest(request, {}, ORIGIN).headers).toEqual({ accept });
  });

  it("is the catalog's when an Accept bound to the input is left out", () => {
    const request = template({ headers: [{ name: 'Accept', from: ['/accept'], format: 'plain' }] });
    expect(buildRequest(request, {}, ORIGIN).headers.accept).toBe('application/json');
    expect(buildRequest(request, { accept: 'text/csv' }, ORIGIN).headers.accept).toBe('text/csv');
  });
});

describe('checkAnswerMediaType', () => {
  const json = (contentType: string, body: unknown = { id: 1 }): AnswerBody => ({ contentType, body, json: true });
  const text = (contentType: string, body = '<item/>'): AnswerBody => ({ contentType, body, json: false });
  const invalid = (message: string) => actionFailure('OutputInvalid', `${message} (from ${ORIGIN})`);

  it.each([
    ['JSON asked and answered', 'application/json', json('application/json')],
    ['JSON with parameters', 'application/json', json('application/json; charset=utf-8; odata.metadata=minimal')],
    ['a +json type for a JSON range', 'application/json', json('application/hal+json')],
    ['JSON for a JSON type among several', 'text/plain, application/json;q=0.9', json('application/json')],
    ['anything for */*', '*/*', json('application/vnd.api+json')],
    ['text for text/plain (an OData $count)', 'text/plain', text('text/plain', '42')],
    ['text for text/*', 'text/*', text('text/csv', 'a,b')],
    ['JSON without a Content-Type', 'application/json', json('')],
    ['an empty body, whatever its type', 'application/json', { contentType: 'text/html', body: undefined, json: false }],
  ])('takes %s', (_title, accept, answer) => {
    expect(checkAnswerMediaType('GetItem', accept, answer, ORIGIN)).toBeUndefined();
  });

  it.each([
    ['XML for JSON', 'application/json', text('application/xml'), 'GetItem answered application/xml; expected application/json'],
    ['text/xml for JSON', 'application/json', text('text/xml; charset=utf-8'), 'GetItem answered text/xml; expected application/json'],
    ['HTML for a +json type', 'application/hal+json', text('text/html'), 'GetItem answered text/html; expected application/hal+json'],
    ['JSON for text', 'text/plain', json('application/json'), 'GetItem answered application/json; expected text/plain'],
    ['JSON that does not parse', 'application/json', text('application/json', '{"id": '), 'GetItem answered application/json that does not parse as JSON'],
    ['a body without a Content-Type that is not JSON', 'application/json', text(''), 'GetItem answered without a Content-Type; expected application/json'],
    ['a Content-Type that is not a media type', 'application/json', text('<b>json</b>'), 'GetItem answered with a Content-Type that is not a media type; expected application/json'],
    ['a type it asked for but cannot read', 'application/xml', text('application/xml'), 'GetItem answered application/xml, which intctl cannot read: it reads JSON and text'],
  ])('refuses %s, naming both types and never the body', (_title, accept, answer, message) => {
    expect(checkAnswerMediaType('GetItem', accept, answer, ORIGIN)).toEqual(invalid(message));
  });
});

describe('describeMissingAction', () => {
  const many = ['CountItems', 'CreateItem', 'DeleteItem', 'GetItem', 'SearchItems', 'UpdateItem', 'GetStock', 'MoveStock', 'CountStock', 'ReserveStock'];

  it.each([
    ['a likely typo', 'GetItm', ['GetItem', 'SearchItems'], 'action GetItm is not in integration crm; did you mean GetItem?'],
    ['another case', 'getitem', ['GetItem', 'SearchItems'], 'action getitem is not in integration crm; did you mean GetItem?'],
    ['no likely typo: every action, sorted', 'Frobnicate', ['SearchItems', 'GetItem'], 'action Frobnicate is not in integration crm (its actions: GetItem, SearchItems)'],
    [
      'no likely typo among many: eight, and how many more',
      'Frobnicate',
      many,
      'action Frobnicate is not in integration crm (its actions: CountItems, CountStock, CreateItem, DeleteItem, GetItem, GetStock, MoveStock, ReserveStock, and 2 more)',
    ],
    ['an integration without actions', 'GetItem', [], 'action GetItem is not in integration crm; it has no actions'],
  ])('%s', (_title, action, actions, message) => {
    expect(describeMissingAction('crm', action, actions)).toBe(message);
  });
});
