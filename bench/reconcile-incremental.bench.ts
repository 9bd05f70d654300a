import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { ArtifactCache } from '../controller/artifact/build-artifact.ts';
import { createArtifactCache } from '../controller/process/artifact-cache.ts';
import type { LoadedObject } from '../controller/core/manifest.ts';
import { openDriver } from '../controller/environments/open-driver.ts';
import type { Environment } from '../controller/generated/manifests.ts';
import { buildDesiredState } from '../controller/reconcilers/environment/desired-state.ts';
import { createEnvironmentRunner } from '../controller/reconcilers/environment/environment-runner.ts';
import type { ReconcileReport } from '../controller/reconcilers/environment/reconcile-environment.ts';
import { createGitSource } from '../controller/source/create-git-source.ts';
import type { GitSource } from '../controller/source/git-source.ts';
import { median } from './support/median.ts';
import { createBenchRepository, integrationFile, integrationManifest, type BenchRepository } from './support/odata-repository.ts';

/**
 * The cost of a commit against the size of the repository: 10,000 integrations (each in its own
 * file, over two small OData specifications), one connection, three embedded environments
 * (INTCTL_BENCH_ENVIRONMENTS), each reconciled in turn.
 *
 * - cold: a new GitSource, new caches and an empty environment: fetch, load, generate, plan and
 *   apply everything.
 * - incremental: after the cold run, with its mirror, caches and environment, the time from a
 *   pushed one-file commit to the end of its reconcile: fetch, load, plan, generate and apply the
 *   one integration it changed.
 *
 * Vitest runs no hooks in bench mode, so the last incremental run prints the medians and writes
 * bench/results/reconcile-incremental.json.
 */
const INTEGRATIONS = Number(process.env.INTCTL_BENCH_INTEGRATIONS ?? 10_000);
const ENVIRONMENTS = Array.from({ length: Number(process.env.INTCTL_BENCH_ENVIRONMENTS ?? 3) }, (_, i) => `bench-${i + 1}`);
const COLD_RUNS = 1;
const INCREMENTAL_RUNS = 10;
const root = mkdtempSync(join(tmpdir(), 'intctl-bench-incremental-'));
/** The bench's repository, made by the first cold run (its time is the setup's). */
let repository: BenchRepository | undefined;

interface Context {
  source: GitSource;
  cache: ArtifactCache;
  stateDir: string;
}

async function reconcile(context: Context): Promise<{ report: ReconcileReport; applied: number; fetchMs: number; loadMs: number; reconcileMs: number; read: number }> {
  const t0 = performance.now();
  const commit = await context.source.fetch();
  const t1 = performance.now();
  const loaded = await context.source.load(commit);
  const t2 = performance.now();
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors.slice(0, 3)));
  const runner = createEnvironmentRunner({
    load: async () => loaded,
    openDriver: (environment: LoadedObject<Environment>) => openDriver(environment.manifest, { stateDir: context.stateDir }),
    trigger: 'automatic',
    holder: 'bench',
    leaseTtlMs: 600_000,
    artifactCache: context.cache,
  });
  let report: ReconcileReport | undefined;
  let applied = 0;
  for (const name of ENVIRONMENTS) {
    ({ report } = await runner.reconcile(name, 'apply'));
    if (report.outcome.kind !== 'Applied') throw new Error(`${name}: ${report.outcome.kind}: ${JSON.stringify(report.outcome)} ${JSON.stringify(report.problems.slice(0, 3))}`);
    applied += report.plan?.actions.length ?? 0;
  }
  const t3 = performance.now();
  return { report: report!, applied, fetchMs: t1 - t0, loadMs: t2 - t1, reconcileMs: t3 - t2, read: loaded.stats.read };
}


let setupMs = 0;
let warm: Context | undefined;
const cold: Array<{ totalMs: number; fetchMs: number; loadMs: number; reconcileMs: number; applied: number }> = [];
const incremental: Array<{ totalMs: number; fetchMs: number; loadMs: number; reconcileMs: number; applied: number; read: number }> = [];
let edits = 0;

/** Where the time of an incremental reconcile goes, measured apart once the runs are done: desired state (warm cache) and the driver's observe. */
async function breakdown(context: Context): Promise<{ desiredStateMs: number; observeMs: number }> {
  const loaded = await context.source.load(await context.source.fetch());
  const environment = loaded.set.environments.find((e) => e.manifest.metadata.name === ENVIRONMENTS[0])!;
  const driver = await openDriver(environment.manifest, { stateDir: context.stateDir });
  try {
    const keys = { publicKey: await driver.publicKey(), fingerprintKey: await driver.fingerprintKey() };
    const t0 = performance.now();
    await buildDesiredState(loaded.set, environment, loaded.reader, keys, loaded.commit, context.cache);
    const t1 = performance.now();
    await driver.observe();
    const t2 = performance.now();
    return { desiredStateMs: Math.round(t1 - t0), observeMs: Math.round(t2 - t1) };
  } finally {
    await driver.close();
  }
}

function report(within: { desiredStateMs: number; observeMs: number }): void {
  const coldMedian = median(cold.map((r) => r.totalMs));
  const incrementalMedian = median(incremental.map((r) => r.totalMs));
  const parts = (runs: Array<{ fetchMs: number; loadMs: number; reconcileMs: number }>) => ({
    fetchMs: Math.round(median(runs.map((r) => r.fetchMs))),
    loadMs: Math.round(median(runs.map((r) => r.loadMs))),
    reconcileMs: Math.round(median(runs.map((r) => r.reconcileMs))),
  });
  const result = {
    integrations: INTEGRATIONS,
    environments: ENVIRONMENTS.length,
    setupMs: Math.round(setupMs),
    cold: { runs: cold.length, medianMs: Math.round(coldMedian), ...parts(cold), applied: cold[0]?.applied },
    incremental: {
      runs: incremental.length,
      medianMs: Math.round(incrementalMedian),
      ...parts(incremental),
      applied: incremental[0]?.applied,
      filesRead: incremental[0]?.read,
      withinReconcile: within,
    },
    ratio: Math.round(coldMedian / incrementalMedian),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stderr.write(
    `reconcile of ${INTEGRATIONS} integrations, ${ENVIRONMENTS.length} environments: cold median ${(coldMedian / 1000).toFixed(1)} s (${cold.length} run), ` +
      `one-file commit median ${incrementalMedian.toFixed(0)} ms (${incremental.length} runs; fetch ${result.incremental.fetchMs} ms, load ${result.incremental.loadMs} ms, ` +
      `reconcile ${result.incremental.reconcileMs} ms, of which desired state ${within.desiredStateMs} ms and observe ${within.observeMs} ms), ` +
      `ratio ${result.ratio}x, peak RSS ${result.peakRssMiB} MiB\n`,
  );
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'reconcile-incremental.json'), `${JSON.stringify(result, null, 2)}\n`);
}

describe(`reconcile of a repository of ${INTEGRATIONS} integrations`, () => {
  bench(
    'cold: fetch, load, generate, plan and apply everything',
    async () => {
      if (cold.length === 0) {
        const started = performance.now();
        repository = createBenchRepository(root, INTEGRATIONS, ENVIRONMENTS);
        setupMs = performance.now() - started;
      }
      const run = cold.length;
      if (warm) await warm.source.close();
      const context: Context = {
        source: createGitSource({ url: repository!.remote, branch: 'main', dir: join(root, `mirror-${run}`), timeoutMs: 600_000 }),
        // The controller's own cache: artifacts by content hash, generations shared by content.
        cache: createArtifactCache(50_000),
        stateDir: join(root, `state-${run}`),
      };
      const started = performance.now();
      const result = await reconcile(context);
      cold.push({ totalMs: performance.now() - started, ...result });
      warm = context;
    },
    { iterations: COLD_RUNS, warmupIterations: 0, time: 0, warmupTime: 0 },
  );

  bench(
    'incremental: from a pushed one-file commit to the end of its reconcile',
    async () => {
      if (!warm) throw new Error('the cold run sets up the warm state');
      // Each run changes another integration, so each commit has one real change to generate and publish.
      const index = (edits * 997) % INTEGRATIONS;
      edits++;
      repository!.write(integrationFile(index), integrationManifest(index, '[Get, Search]', ENVIRONMENTS));
      repository!.commitAndPush(`i-${index} searches`);
      const started = performance.now();
      const result = await reconcile(warm);
      const totalMs = performance.now() - started;
      if (result.applied !== ENVIRONMENTS.length || result.read !== 1) throw new Error(`expected one file read and one action per environment, got ${result.read} and ${result.applied}`);
      incremental.push({ totalMs, ...result });
      if (incremental.length === INCREMENTAL_RUNS + 1) {
        // The first run after the cold one is the warm-up (code paths of the incremental case compiled), left out.
        incremental.shift();
        report(await breakdown(warm));
        await warm.source.close();
        rmSync(root, { recursive: true, force: true });
      }
    },
    { iterations: INCREMENTAL_RUNS + 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
