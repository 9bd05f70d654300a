import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { runCli } from '../helpers/cli.ts';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from './support/manifest-repo.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from './support/serve-environment.ts';
import { BOOKSHOP_USER, startBookshop, type Bookshop } from './support/start-bookshop.ts';

const TOKEN_VARIABLE = 'INTCTL_TEST_BOOKSHOP_ENV_TOKEN';
const auth = `Basic ${Buffer.from(`${BOOKSHOP_USER.username}:${BOOKSHOP_USER.password}`).toString('base64')}`;

let bookshop: Bookshop;
let served: ServedEnvironment;
let work: string;
let repo: string;

/** Asks the bookshop itself, with its own credentials: what the runtime's answers are compared with. */
async function direct(path: string, accept = 'application/json'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${bookshop.serviceUrl}${path}`, { headers: { authorization: auth, accept } });
  const text = await response.text();
  return { status: response.status, body: /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
}

/** Every book, following the service's own next links, without OData control information. */
async function allBooks(): Promise<unknown[]> {
  const books: unknown[] = [];
  let path: string | undefined = '/Books';
  while (path !== undefined) {
    const page = (await direct(path)).body as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
    books.push(...page.value.map(withoutAnnotations));
    path = page['@odata.nextLink'] === undefined ? undefined : `/${page['@odata.nextLink']}`;
  }
  return books;
}

function withoutAnnotations(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith('@')));
}

/** Runs an action through the environment server with an application token. */
async function invoke(action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${served.url}/v1/integrations/books/actions/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.applications[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  [bookshop, served] = await Promise.all([startBookshop(), serveEnvironment({ name: 'dev' })]);
  work = await mkdtemp(join(tmpdir(), 'intctl-odata-'));
  repo = join(work, 'repo');
  const metadata = await direct('/$metadata', 'application/xml');
  expect(metadata.status).toBe(200);
  process.env[TOKEN_VARIABLE] = TOKENS.controller;
  await writeRepo(repo, {
    'specs/catalog.edmx': metadata.body as string,
    'environments.yaml': [environmentManifest('dev', { driver: 'http', url: served.url, token: { env: TOKEN_VARIABLE } })],
    'connections/bookshop.yaml': [
      connectionManifest('bookshop', {
        system: 'odata',
        auth: { type: 'basic' },
        environments: {
          dev: { endpoint: bookshop.serviceUrl, username: BOOKSHOP_USER.username, password: { sealed: sealSecret(await served.driver.publicKey(), BOOKSHOP_USER.password) } },
        },
      }),
    ],
    'integrations/books.yaml': [
      integrationManifest('books', {
        system: 'odata',
        source: { path: 'specs/catalog.edmx' },
        entities: [{ name: 'Books', operations: ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'] }],
        connection: 'bookshop',
        environments: ['dev'],
      }),
    ],
  });
  const applied = await runCli(['apply', '--repo', repo, '--env', 'dev', '--state-dir', join(work, 'state')]);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
}, 120_000);
afterAll(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served?.close();
  await bookshop?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('runtime end to end against an OData v4 service of @sap/cds', () => {
  it('published the integration generated from the service metadata, through the http driver', async () => {
    const state = await served.driver.observe();
    expect(state.integrations.map((i) => [i.name, i.system, i.connection])).toEqual([['books', 'odata', 'bookshop']]);
    const catalog = state.integrations[0]!.catalog as { actions: Array<{ name: string }> };
    expect(catalog.actions.map((a) => a.name)).toEqual(['CountBooks', 'CreateBook', 'DeleteBook', 'GetBook', 'SearchBooks', 'UpdateBook']);
  });

  it('Search reads every page of the service (two books a page) and gives its answer', async () => {
    const answer = await invoke('SearchBooks', {});
    expect(answer).toEqual({ status: 200, body: { output: { items: await allBooks() }, pages: 3 } });
    expect((answer.body.output as { items: unknown[] }).items).toHaveLength(5);
  });

  it('Search with filters, ordering and top gives what the service gives for the same query', async () => {
    const answer = await invoke('SearchBooks', {
      filters: [{ attribute: 'author', operator: 'eq', value: 'Edgar Allan Poe' }, { attribute: 'stock', operator: 'gt', value: 100 }],
      orderBy: [{ attribute: 'title', direction: 'asc' }],
      top: 5,
    });
    const expected = (await direct(`/Books?$filter=${encodeURIComponent("author eq 'Edgar Allan Poe' and stock gt 100")}&$orderby=title%20asc&$top=5`)).body as { value: Record<string, unknown>[] };
    expect(answer.body.output).toEqual({ items: expected.value.map(withoutAnnotations) });
    expect((answer.body.output as { items: Array<{ title: string }> }).items.map((b) => b.title)).toEqual(['Eleonora', 'The Raven']);
  });

  it('Get and Count give the service answers', async () => {
    const direct201 = (await direct('/Books(201)')).body as Record<string, unknown>;
    expect(await invoke('GetBook', { ID: 201 })).toEqual({ status: 200, body: { output: withoutAnnotations(direct201), pages: 1 } });
    expect((await invoke('CountBooks', {})).body).toEqual({ output: { count: Number((await direct('/Books/$count')).body) }, pages: 1 });
    expect((await invoke('CountBooks', { filter: "genre eq 'Drama'" })).body).toEqual({ output: { count: 2 }, pages: 1 });
  });

  it('Create, Update and Delete change the service', async () => {
    const record = { ID: 301, title: 'The Moonstone', author: 'Wilkie Collins', genre: 'Mystery', stock: 4, price: 9.5 };
    const created = await invoke('CreateBook', { record });
    expect(created).toEqual({ status: 200, body: { output: record, pages: 1 } });
    expect(withoutAnnotations((await direct('/Books(301)')).body as Record<string, unknown>)).toEqual(record);

    expect(await invoke('UpdateBook', { ID: 301, record: { stock: 7 } })).toEqual({ status: 200, body: { output: {}, pages: 1 } });
    expect((await direct('/Books(301)')).body).toMatchObject({ stock: 7 });

    expect(await invoke('DeleteBook', { ID: 301 })).toEqual({ status: 200, body: { output: {}, pages: 1 } });
    expect((await direct('/Books(301)')).status).toBe(404);
  });

  it("maps the service's OData error to a clear error body", async () => {
    const missing = await invoke('GetBook', { ID: 999 });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'ActionFailed', reason: 'UpstreamNotFound', upstream: { status: 404 } });
    // The service answers a duplicate key with a 500 of its own: passed on as an upstream failure, with its code and message.
    const duplicate = await invoke('CreateBook', { record: { ID: 201, title: 'Again' } });
    expect(duplicate).toEqual({
      status: 502,
      body: {
        error: 'ActionFailed',
        reason: 'UpstreamFailed',
        message: expect.stringMatching(/answered 500 SQLITE_CONSTRAINT_PRIMARYKEY: /),
        upstream: { status: 500, code: 'SQLITE_CONSTRAINT_PRIMARYKEY', message: expect.stringContaining('UNIQUE constraint failed') },
      },
    });
    expect(await invoke('CreateBook', { record: { ID: 302 } })).toMatchObject({ status: 400, body: { reason: 'InputInvalid' } });
  });

  it('intctl invoke runs the same action through the http driver', async () => {
    const run = await runCli(['invoke', 'books', 'GetBook', '--env', 'dev', '--repo', repo, '--input', '{"ID": 207}']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(withoutAnnotations((await direct('/Books(207)')).body as Record<string, unknown>));
    const failed = await runCli(['invoke', 'books', 'GetBook', '--env', 'dev', '--repo', repo, '--input', '{"ID": 999}']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^intctl: action failed: UpstreamNotFound: /);
    expect(failed.stderr).not.toContain(BOOKSHOP_USER.password);
  });
});
