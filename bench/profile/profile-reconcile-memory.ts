import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { LoadedObject } from '../../controller/core/manifest.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import type { Environment } from '../../controller/generated/manifests.ts';
import { createArtifactCache } from '../../controller/process/artifact-cache.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { createBenchRepository, integrationFile, integrationManifest } from '../support/odata-repository.ts';

/**
 * Where the memory of a cold reconcile goes: the repository of reconcile-incremental.bench.ts
 * (INTCTL_BENCH_INTEGRATIONS, INTCTL_BENCH_ENVIRONMENTS), reconciled once from nothing, with the
 * process's RSS, V8 heap and external memory printed at each step (load, and per environment:
 * each quarter of generation, each quarter of apply, the end), then after each of ONE_FILE_COMMITS
 * one-file commits reconciled with the same source, caches and environments (what the controller
 * keeps between commits, which must not grow with them), and the peak RSS at the end. With
 * a step's label in SNAPSHOT_AT (comma-separated, for example `bench-1 apply 50%,one-file commit 1`),
 * a heap snapshot is written there; run with --expose-gc to collect garbage before each reading (what is alive, not what
 * the collector has not reached yet).
 *
 *   npx tsx [--expose-gc] bench/profile/profile-reconcile-memory.ts
 */
const INTEGRATIONS = Number(process.env.INTCTL_BENCH_INTEGRATIONS ?? 10_000);
const ENVIRONMENTS = Array.from({ length: Number(process.env.INTCTL_BENCH_ENVIRONMENTS ?? 3) }, (_, i) => `bench-${i + 1}`);
const SNAPSHOT_AT = new Set((process.env.SNAPSHOT_AT ?? '').split(',').filter((label) => label !== ''));
const ONE_FILE_COMMITS = Number(process.env.ONE_FILE_COMMITS ?? 5);
const root = mkdtempSync(join(tmpdir(), 'intctl-profile-memory-'));
const MiB = (bytes: number): string => String(Math.round(bytes / 1024 / 1024)).padStart(5);
const started = performance.now();

function reading(label: string): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`${seconds} s  rss ${MiB(m.rss)}  heap ${MiB(m.heapUsed)}  external ${MiB(m.external)}  buffers ${MiB(m.arrayBuffers)}  peak ${MiB(peak)}  ${label}\n`);
  if (SNAPSHOT_AT.has(label)) process.stdout.write(`  snapshot ${writeHeapSnapshot(join(tmpdir(), `reconcile-${label.replaceAll(/[^a-z0-9-]/gi, '_')}.heapsnapshot`))}\n`);
}

/** Calls `at(label)` as `done` passes each quarter of `total`. */
function quarters(prefix: string): (done: number, total: number) => void {
  let next = 1;
  return (done, total) => {
    while (next <= 4 && done >= (total * next) / 4) reading(`${prefix} ${next++ * 25}%`);
  };
}

const repository = createBenchRepository(root, INTEGRATIONS, ENVIRONMENTS);
reading('repository made');

const source = createGitSource({ url: repository.remote, branch: 'main', dir: join(root, 'mirror'), timeoutMs: 600_000 });
const cache = createArtifactCache(50_000);
try {
  const generating = new Map<string, (done: number, total: number) => void>();
  let applying: (done: number, total: number) => void = () => undefined;
  /** Reconciles every environment at the branch's head; `label` undefined: no readings within. */
  const reconcileAll = async (label: string | undefined): Promise<void> => {
    const commit = await source.fetch();
    const loaded = await source.load(commit);
    if (label !== undefined) reading(`${label}loaded`);
    const runner = createEnvironmentRunner({
      load: async () => loaded,
      openDriver: (environment: LoadedObject<Environment>) => openDriver(environment.manifest, { stateDir: join(root, 'state') }),
      trigger: 'automatic',
      holder: 'profile',
      leaseTtlMs: 600_000,
      artifactCache: cache,
      ...(label === undefined
        ? {}
        : {
            onGenerate: (environment: string, done: number, total: number) => {
              if (!generating.has(environment)) generating.set(environment, quarters(`${label}${environment} generate`));
              generating.get(environment)!(done, total);
            },
          }),
    });
    for (const name of ENVIRONMENTS) {
      applying = label === undefined ? () => undefined : quarters(`${label}${name} apply`);
      const { report } = await runner.reconcile(name, 'apply', (_action, _outcome, index, total) => applying(index + 1, total));
      if (report.outcome.kind !== 'Applied') throw new Error(`${name}: ${JSON.stringify(report.outcome)}`);
      if (label !== undefined) reading(`${label}${name} done`);
    }
  };
  await reconcileAll('');
  process.stdout.write(`cold reconcile done ${((performance.now() - started) / 1000).toFixed(1)} s since the start (repository included); peak RSS ${MiB(process.resourceUsage().maxRSS * 1024)} MiB\n`);
  for (let run = 0; run < ONE_FILE_COMMITS; run++) {
    const index = (run * 997) % INTEGRATIONS;
    repository.write(integrationFile(index), integrationManifest(index, '[Get, Search]', ENVIRONMENTS));
    repository.commitAndPush(`i-${index} searches`);
    await reconcileAll(undefined);
    reading(`one-file commit ${run + 1}`);
  }
} finally {
  await source.close();
  rmSync(root, { recursive: true, force: true });
}
