import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { deadline } from '../support/time.ts';
import { axeViolations, launchChromium } from './support/browser.ts';
import { API_TOKEN, startDemoDashboard, type DemoDashboardWorld } from './support/demo-dashboard.ts';

let world: DemoDashboardWorld;
let browser: Browser;
beforeAll(async () => {
  world = await startDemoDashboard();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const WAIT = { timeout: deadline(30_000) };

/** A fresh tab at a page of the dashboard, once its heading is shown. */
async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${world.url}${path}`);
  await page.locator('main h1').first().waitFor(WAIT);
  expect(errors).toEqual([]);
  return page;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
}

/** Commits in the demo's repository, the branch the controller tracks; returns the commit. */
async function commit(files: Record<string, string>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) await writeFile(join(world.repo, path), text);
  const git = simpleGit({ baseDir: world.repo });
  await git.add('.');
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

describe("each view renders the demo's state, and passes an accessibility check", () => {
  it('overview: dev and test Ready, prod waiting for two approvals', async () => {
    const page = await open('/');
    const cards = page.locator('.environment-card');
    await expect.poll(() => cards.locator('h2').allInnerTexts(), WAIT).toEqual(['dev', 'test', 'prod']);
    await expect.poll(() => cards.nth(2).innerText(), WAIT).toContain('AwaitingApproval: 13 pending actions; needs 2 approving reviews');
    expect(await cards.nth(0).innerText()).toContain('ReconciliationSucceeded: in step with Git');
    await expectAccessible(page);
    await page.close();
  });

  it('matrix: every integration in every environment, and a filter kept in the URL', async () => {
    const page = await open('/matrix');
    const rows = page.locator('table.matrix tbody tr');
    await expect.poll(() => rows.locator('th').allInnerTexts(), WAIT).toEqual(['crm team=customer-experience', 'dataverse-accounts team=sales-operations', 'order-history team=order-to-cash', 'product-catalog team=web-shop', 'sales-orders team=order-to-cash sap-service=API_SALES_ORDER_SRV']);
    expect(await rows.nth(0).locator('td.cell .state').allInnerTexts()).toEqual(['in step', 'in step', 'pending']);
    expect(await rows.nth(1).locator('td.cell .state').allInnerTexts()).toEqual(['in step', 'in step', 'not targeted']);
    await expectAccessible(page);
    await page.getByLabel('System').fill('odata');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/matrix\?system=odata$/, WAIT);
    await expect.poll(() => rows.locator('th a').allInnerTexts(), WAIT).toEqual(['dataverse-accounts', 'sales-orders']);
    await page.close();
  });

  it('environment: the pending plan of prod, its gate and approvals, its status commits', async () => {
    const page = await open('/environments/prod');
    await expect.poll(() => page.locator('main').innerText(), WAIT).toContain('13 actions pending');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Gate: waiting (AwaitingApproval)');
    expect(text).toContain('Approvals: 0 of 2 given; from maria-schmidt, jokafor, lchen-sre');
    expect(await page.locator('table.actions tbody tr').count()).toBe(13);
    expect(await page.locator('ol.history li').first().innerText()).toMatch(/intctl: prod NotReady \(AwaitingApproval\) at [0-9a-f]{7}/);
    await expectAccessible(page);
    await page.close();
  });

  it('integration: its environments with the auth type, its actions, and what promoting dev to prod changes', async () => {
    const page = await open('/integrations/crm');
    const rows = page.locator('table.per-environment tbody tr');
    await expect.poll(() => rows.allInnerTexts(), WAIT).toHaveLength(3);
    expect((await rows.nth(2).innerText()).split('\t').map((s) => s.trim())).toEqual(['prod', 'pending\nNew', '—', 'none', 'apiKey']);
    expect(await page.locator('ul.catalog').innerText()).toContain('GetCustomer');
    await expect.poll(() => page.locator('ul.changes').innerText(), WAIT).toContain('action GetCustomer was added');
    await page.getByLabel('to', { exact: true }).selectOption('test');
    await expect.poll(() => page.locator('.diff').innerText(), WAIT).toContain('No interface change in test.');
    await expectAccessible(page);
    await page.close();
  });

  it.each([
    ['/environments/staging', 'No environment named “staging”'],
    ['/integrations/nothing-here', 'No integration named “nothing-here”'],
  ])('%s: a clear page, not a stack', async (path, heading) => {
    const page = await open(path);
    expect(await page.locator('main h1').innerText()).toBe(heading);
    await expectAccessible(page);
    await page.close();
  });
});

describe('reconcile now', () => {
  it('is refused without the token and works with it', async () => {
    const page = await open('/environments/dev');
    await page.getByRole('button', { name: 'Reconcile dev now' }).click();
    await expect.poll(() => page.locator('.reconcile [role=alert]').innerText(), WAIT).toBe('Refused: a valid API token is required (Authorization: Bearer <token>)');
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Reconcile dev now' }).click();
    await expect.poll(() => page.locator('.reconcile [role=status]').innerText(), WAIT).toBe('Reconcile of dev queued.');
    expect(world.logs.lines().some((l) => l.msg === 'reconcile now, asked through the API' && l.environment === 'dev')).toBe(true);
    await page.close();
  });

  it('from the overview, for every environment', async () => {
    const page = await open('/');
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Reconcile every environment now' }).click();
    await expect.poll(() => page.locator('.reconcile [role=status]').innerText(), WAIT).toBe('Reconcile of every environment queued.');
    // Each environment is queued unless the poll queued it already: the list says which were added.
    expect(world.logs.lines().some((l) => l.msg === 'reconcile now, asked through the API' && l.environment === undefined && Array.isArray(l.enqueued))).toBe(true);
    await page.close();
  });

  it('a page of another site can neither post a form to it nor call it with the token', async () => {
    const target = `${world.url}/api/v1/environments/dev/reconcile`;
    const attacker: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><title>elsewhere</title><form method="post" action="${target}"><button>go</button></form>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // localhost and 127.0.0.1 are two sites to the browser.
    const elsewhere = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
    const asked = () => world.logs.lines().filter((l) => l.msg === 'reconcile now, asked through the API').length;
    const before = asked();
    try {
      const page = await browser.newPage();
      await page.goto(elsewhere);
      const fetched = await page.evaluate(
        async ([url, token]) => fetch(url!, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then((r) => `answered ${r.status}`, (e: Error) => `failed: ${e.name}`),
        [target, API_TOKEN],
      );
      expect(fetched).toBe('failed: TypeError');
      await Promise.all([page.waitForURL(target, WAIT), page.getByRole('button', { name: 'go' }).click()]);
      expect(JSON.parse(await page.locator('body').innerText())).toEqual({ error: 'Forbidden', message: 'cross-site requests may not change anything (Sec-Fetch-Site is cross-site)' });
      await page.close();
    } finally {
      await new Promise((resolve) => attacker.close(resolve));
    }
    expect(asked()).toBe(before);
  });
});

describe('live, without a reload', () => {
  it('a drifted environment shows why; a pushed commit appears on the open page; a Stalled environment shows why', async () => {
    const overview = await open('/');
    const matrix = await open('/matrix');
    for (const page of [overview, matrix]) await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

    // Changed outside Git in test, whose policy reports drift rather than healing it.
    const test = await openEmbeddedEnvironment(join(world.stateDir, 'test.sqlite'), { name: 'test', create: false });
    expect(await test.unpublishByHand('crm')).toBe(true);
    await test.close();
    const response = await fetch(`${world.url}/api/v1/environments/test/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(response.status).toBe(202);
    const testCard = overview.locator('.environment-card').nth(1);
    await expect.poll(() => testCard.innerText(), WAIT).toContain('Drifted DriftDetected: changed outside Git: crm');

    await commit({ 'integrations/crm-contacts.yaml': (await import('node:fs')).readFileSync(join(world.repo, 'integrations', 'crm.yaml'), 'utf8').replace(/name: crm\b/, 'name: crm-contacts').replace('environments: [dev, test, prod]', 'environments: [dev]') }, 'crm-contacts, in dev');
    await expect.poll(() => matrix.locator('table.matrix tbody th a').allInnerTexts(), WAIT).toContain('crm-contacts');
    const row = matrix.locator('table.matrix tbody tr', { hasText: 'crm-contacts' });
    await expect.poll(() => row.locator('td.cell .state').allInnerTexts(), WAIT).toEqual(['in step', 'not targeted', 'not targeted']);

    await commit({ 'integrations/broken.yaml': 'apiVersion: intctl.dev/v1alpha1\nkind: Integration\nmetadata: { name: broken }\nspec: { system: openapi }\n' }, 'a manifest missing most of its spec');
    const devCard = overview.locator('.environment-card').nth(0);
    await expect.poll(() => devCard.innerText(), WAIT).toContain('Stalled ValidationFailed: 3 problems in the manifests; nothing applied');
    expect(await devCard.locator('.count.failing dd').innerText()).toBe('6');
    const dev = await open('/environments/dev');
    await expect.poll(() => dev.locator('ul.problems').innerText(), WAIT).toContain('integrations/broken.yaml:');
    await dev.close();
    expect(await overview.locator('header .live').innerText()).toMatch(/^Live/);
    for (const page of [overview, matrix]) expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expectAccessible(overview);
    await overview.close();
    await matrix.close();
  });
});
