// Screenshots of each view of the dashboard over the demo's environments, for the README:
//   npm run screenshots      (writes docs/dashboard-*.png)
// The same demo and Chromium as the browser tests (test/dashboard/dashboard-browser.test.ts).
import { join } from 'node:path';
import { launchChromium } from './support/browser.ts';
import { startDemoDashboard } from './support/demo-dashboard.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const VIEWS: Array<[string, string, string]> = [
  ['overview', '/', '.environment-card'],
  ['matrix', '/matrix', 'table.matrix tbody tr'],
  ['environment', '/environments/prod', 'table.actions'],
  ['integration', '/integrations/crm', 'ul.changes'],
];

const world = await startDemoDashboard();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const [name, path, ready] of VIEWS) {
    await page.goto(`${world.url}${path}`);
    await page.locator(ready).first().waitFor();
    const file = join(DOCS, `dashboard-${name}.png`);
    await page.screenshot({ path: file, fullPage: name !== 'integration' });
    process.stdout.write(`${file}\n`);
  }
} finally {
  await browser.close();
  await world.close();
}
