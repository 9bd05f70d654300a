import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { EnvironmentDriver } from '../../controller/environments/driver.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import type { Environment } from '../../controller/generated/manifests.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { runCli } from '../helpers/cli.ts';
import { FLAVOURS, INVENTORY_KEY, inventorySpec, startInventory, type Flavour, type Inventory } from './support/inventory.ts';
import { environmentManifest, writeRepo } from './support/manifest-repo.ts';
import { generateCatalog, publishWith } from './support/publish.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from './support/serve-environment.ts';

/*
 * What the runtime asks an API for and what it makes of the answer's content type, the same
 * through the environment server's action route and through `intctl invoke`, for an embedded
 * environment (the runtime runs in the command) and an http one (the server runs it).
 */

const TOKEN_VARIABLE = 'INTCTL_TEST_CONTENT_TYPES_ENV_TOKEN';
let inventory: Inventory;
let served: ServedEnvironment;
let work: string;
let repo: string;
let stateDir: string;
const catalogs = new Map<Flavour, ActionCatalog>();

/** Publishes one integration per flavour of the inventory, each with its own connection, through a driver. */
async function publishAll(driver: EnvironmentDriver): Promise<void> {
  const publicKey = await driver.publicKey();
  for (const flavour of FLAVOURS) {
    await publishWith(driver, catalogs.get(flavour)!, {
      name: flavour,
      system: 'openapi',
      authType: 'apiKey',
      parameters: { endpoint: inventory.endpoint(flavour), apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
      secrets: { apiKey: { sealed: sealSecret(publicKey, INVENTORY_KEY) } },
      fingerprint: `${flavour}-fp`,
    });
  }
}

beforeAll(async () => {
  [inventory, served] = await Promise.all([startInventory(), serveEnvironment({ name: 'staging' })]);
  for (const flavour of FLAVOURS) {
    const spec = inventorySpec(flavour === 'hal' ? ['application/hal+json'] : undefined);
    catalogs.set(flavour, await generateCatalog(flavour, 'openapi', new TextEncoder().encode(spec), { entities: [{ name: 'items', operations: ['Get', 'Search'] }] }));
  }
  work = await mkdtemp(join(tmpdir(), 'intctl-content-types-'));
  repo = join(work, 'repo');
  stateDir = join(work, 'state');
  const dev = environmentManifest('dev', { driver: 'embedded', path: 'dev.sqlite' }) as Environment;
  await writeRepo(repo, { 'environments.yaml': [dev, environmentManifest('staging', { driver: 'http', url: served.url, token: { env: TOKEN_VARIABLE } })] });
  process.env[TOKEN_VARIABLE] = TOKENS.controller;
  const embedded = await openDriver(dev, { stateDir });
  try {
    await publishAll(embedded);
  } finally {
    await embedded.close();
  }
  await publishAll(served.driver);
}, 60_000);
afterAll(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served?.close();
  await inventory?.close();
  if (work) await rm(work, { recursive: true, force: true });
});
beforeEach(() => {
  inventory.accepts.length = 0;
});

type Outcome = { output: unknown } | { reason: string; message: string; text: string };

const WAYS = {
  'the environment server route': async (integration: string, action: string, input: unknown): Promise<Outcome> => {
    const response = await fetch(`${served.url}/v1/integrations/${integration}/actions/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.applications[0]}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { output?: unknown; reason?: string; message?: string };
    return response.status === 200 ? { output: body.output } : { reason: body.reason!, message: body.message!, text };
  },
  'intctl invoke, embedded': (integration: string, action: string, input: unknown) => cli('dev', integration, action, input),
  'intctl invoke, http': (integration: string, action: string, input: unknown) => cli('staging', integration, action, input),
};

async function cli(environment: string, integration: string, action: string, input: unknown): Promise<Outcome> {
  const run = await runCli(['invoke', integration, action, '--env', environment, '--repo', repo, '--state-dir', stateDir, '--input', JSON.stringify(input)]);
  if (run.code === 0) return { output: JSON.parse(run.stdout) as unknown };
  const failed = /^intctl: action failed: (\w+): (.*)$/m.exec(run.stderr);
  expect(run.code, run.stderr).toBe(1);
  return { reason: failed?.[1] ?? '', message: failed?.[2] ?? run.stderr, text: `${run.stdout}${run.stderr}` };
}

const origin = (flavour: Flavour): string => new URL(inventory.endpoint(flavour)).origin;

describe.each(Object.keys(WAYS) as Array<keyof typeof WAYS>)('through %s', (way) => {
  const invoke = WAYS[way];

  it('reads an API that answers XML to */* but JSON to application/json: it asks for the catalog\'s application/json', async () => {
    expect(await invoke('negotiating', 'GetItem', { itemId: 'i1' })).toEqual({ output: { id: 'i1', name: 'bolt' } });
    expect(await invoke('negotiating', 'SearchItems', {})).toEqual({ output: { items: [{ id: 'i1', name: 'bolt' }, { id: 'i2', name: 'nut' }] } });
    expect(inventory.accepts).toEqual(['application/json', 'application/json', 'application/json']);
  });

  it('asks for the media type the catalog records when the API describes another (application/hal+json)', async () => {
    expect(catalogs.get('hal')!.actions.find((a) => a.name === 'GetItem')!.request.response.mediaType).toBe('application/hal+json');
    expect(await invoke('hal', 'GetItem', { itemId: 'i2' })).toEqual({ output: { id: 'i2', name: 'nut' } });
    expect(inventory.accepts).toEqual(['application/hal+json']);
  });

  it.each([
    ['answers only XML', 'xml', 'GetItem', { itemId: 'i1' }, (o: string) => `GetItem answered application/xml; expected application/json (from ${o})`],
    ['says JSON and sends XML', 'broken-json', 'GetItem', { itemId: 'i1' }, (o: string) => `GetItem answered application/json that does not parse as JSON (from ${o})`],
    ['answers a second page in XML', 'xml-second-page', 'SearchItems', {}, (o: string) => `SearchItems answered application/xml; expected application/json (from ${o})`],
  ] as const)('fails OutputInvalid, naming the content types, for an API that %s, and never shows the body', async (_title, flavour, action, input, message) => {
    const outcome = await invoke(flavour, action, input);
    expect(outcome).toEqual({ reason: 'OutputInvalid', message: message(origin(flavour)), text: expect.any(String) });
    const text = (outcome as { text: string }).text;
    expect(text).not.toContain(INVENTORY_KEY);
    expect(text).not.toContain('<item');
  });

  it.each([
    ['GetItm', 'action GetItm is not in integration negotiating; did you mean GetItem?'],
    ['searchitem', 'action searchitem is not in integration negotiating; did you mean SearchItems?'],
    ['DeleteEverything', 'action DeleteEverything is not in integration negotiating (its actions: GetItem, SearchItems)'],
  ])('names the actions there are for a misspelt one: %s', async (action, message) => {
    expect(await invoke('negotiating', action, {})).toEqual({ reason: 'ActionNotFound', message, text: expect.any(String) });
    expect(inventory.accepts).toEqual([]);
  });
});
