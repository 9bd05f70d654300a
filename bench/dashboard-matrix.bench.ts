import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fastify } from 'fastify';
import { bench, describe } from 'vitest';
import type { EnvironmentStatus } from '../controller/core/environment-status.ts';
import type { LoadedObject, ManifestSet } from '../controller/core/manifest.ts';
import { createDashboardStore } from '../controller/dashboard/dashboard-store.ts';
import { registerDashboard } from '../controller/dashboard/register-dashboard.ts';
import type { Environment, Integration } from '../controller/generated/manifests.ts';
import type { ReconcileReport } from '../controller/reconcilers/environment/reconcile-environment.ts';
import { launchChromium } from '../test/dashboard/support/browser.ts';
import { median } from './support/median.ts';

/**
 * The dashboard's matrix over INTCTL_BENCH_DASHBOARD_INTEGRATIONS integrations (10,000) in three
 * environments, in real headless Chromium (the browser tests' own): from navigating to /matrix
 * until its first page of rows is on screen. Two cases: the first load after a status changed (the
 * server builds the matrix again from the state), and a load with the state unchanged; and paging
 * to the next page on the open tab. INTCTL_BENCH_DASHBOARD_RUNS runs of each (7); prints the
 * medians and writes them to bench/results/dashboard-matrix.json.
 */

const SIZE = Number(process.env.INTCTL_BENCH_DASHBOARD_INTEGRATIONS ?? 10_000);
const RUNS = Number(process.env.INTCTL_BENCH_DASHBOARD_RUNS ?? 7);
const ENVIRONMENTS = ['dev', 'test', 'prod'];
const COMMIT = 'a'.repeat(40);

function loaded<M extends Integration | Environment>(manifest: M, file: string): LoadedObject<M> {
  const at = () => ({ line: 1, column: 1 });
  return { manifest, head: manifest as LoadedObject<M>['head'], file, locate: at, locateKey: at };
}

function state(): { set: ManifestSet; statuses: EnvironmentStatus[] } {
  const integrations = Array.from({ length: SIZE }, (_, i) => {
    const name = `integration-${String(i).padStart(5, '0')}`;
    const manifest = {
      apiVersion: 'intctl.dev/v1alpha1',
      kind: 'Integration',
      metadata: { name, labels: { team: `team-${i % 50}` } },
      spec: { system: i % 2 === 0 ? 'openapi' : 'odata', source: { path: 'specs/crm-openapi.yaml' }, connection: 'crm-api', environments: i % 10 === 0 ? ['dev'] : ENVIRONMENTS },
    } as unknown as Integration;
    return loaded(manifest, `integrations/${name}.yaml`);
  });
  const environments = ENVIRONMENTS.map((name, i) =>
    loaded({ apiVersion: 'intctl.dev/v1alpha1', kind: 'Environment', metadata: { name }, spec: { driver: 'embedded', ...(i > 0 ? { promotesFrom: ENVIRONMENTS[i - 1] } : {}) } } as unknown as Environment, 'environments.yaml'),
  );
  const statuses = ENVIRONMENTS.map((environment) => ({
    environment,
    conditions: [{ type: 'Ready' as const, status: 'True' as const, reason: 'ReconciliationSucceeded', message: 'in step with Git', observedCommit: COMMIT, lastTransitionTime: new Date(0).toISOString() }],
    observedCommit: COMMIT,
    lastReconcileTime: new Date(0).toISOString(),
    outcome: 'Applied' as const,
    published: integrations
      .filter((o) => o.manifest.spec.environments.includes(environment))
      .map((o) => ({ integration: o.manifest.metadata.name, version: 'd4737550dc21', artifactHash: `sha256:${'d'.repeat(64)}`, commit: COMMIT })),
  }));
  return { set: { integrations, connections: [], environments }, statuses };
}

const { set, statuses } = state();
const store = createDashboardStore(() => statuses);
const report = (environment: string): ReconcileReport =>
  ({ environment, commit: COMMIT, loaded: { commit: COMMIT, set, problems: [], errors: [] }, problems: [], outcome: { kind: 'Applied', applied: 0, drifted: [] } }) as unknown as ReconcileReport;
const changed = (): void => store.record(report('dev'), { durationMs: 1, at: new Date().toISOString() });
for (const environment of ENVIRONMENTS) store.record(report(environment), { durationMs: 1, at: new Date().toISOString() });

const app = fastify();
await registerDashboard(app, {
  store,
  access: { readAccess: 'public' },
  openDriver: async () => {
    throw new Error('the bench opens no environment');
  },
  history: async () => [],
  enqueue: () => ({ enqueued: [], unknown: [] }),
  enqueueAll: () => [],
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

const samples: Record<string, number[]> = { 'first load after a status changed': [], 'load, state unchanged': [], 'next page on the open tab': [] };

/** Milliseconds from navigating to /matrix until the first page of rows is shown. */
async function load(): Promise<number> {
  const started = performance.now();
  await page.goto(`${url}/matrix`);
  await page.locator('table.matrix tbody tr').nth(49).waitFor();
  return performance.now() - started;
}

async function nextPage(): Promise<number> {
  const started = performance.now();
  await page.getByRole('link', { name: 'Next' }).click();
  await page.locator('table.matrix tbody tr th a', { hasText: 'integration-00050' }).waitFor();
  return performance.now() - started;
}

let measuring = false;
let done = false;
const OPTIONS = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0, setup: (_task: unknown, mode: 'warmup' | 'run') => void (measuring = mode === 'run') };

describe(`dashboard matrix, ${SIZE} integrations × ${ENVIRONMENTS.length} environments, in Chromium`, () => {
  bench(
    `navigation to the first page of rows, ${RUNS} runs of each`,
    async () => {
      if (!measuring || done) return;
      done = true;
      const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');
      await load(); // Chromium's and the server's first use: not counted.
      for (let i = 0; i < RUNS; i++) {
        changed();
        samples['first load after a status changed']!.push(await load());
        samples['load, state unchanged']!.push(await load());
        samples['next page on the open tab']!.push(await nextPage());
      }
      const rows = Object.entries(samples).map(([name, values]) => ({ case: name, runs: values.length, medianMs: Math.round(median(values)) }));
      mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
      writeFileSync(join(import.meta.dirname, 'results', 'dashboard-matrix.json'), `${JSON.stringify({ integrations: SIZE, loadAtStart, cases: rows }, null, 2)}\n`);
      process.stderr.write(`\nDashboard matrix, ${SIZE.toLocaleString('en')} integrations (load average at start: ${loadAtStart}):\n${rows.map((r) => `  ${r.case.padEnd(36)} ${String(r.medianMs).padStart(6)} ms  (median of ${r.runs})`).join('\n')}\n\n`);
      await browser.close();
      await app.close();
    },
    OPTIONS,
  );
});
