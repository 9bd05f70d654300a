import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bench, describe } from 'vitest';
import { buildArtifact } from '../controller/artifact/build-artifact.ts';
import type { Integration } from '../controller/generated/manifests.ts';
import { median } from './support/median.ts';

/**
 * Generation of one large real OData specification: a Microsoft Dataverse `$metadata` (835 entity
 * sets, 595 function and action imports; test/fixtures/specs/dataverse-metadata.edmx.gz), every
 * entity and function, with declarations. Prints the median wall time and the peak resident
 * memory of the process (its own file, so that the GitHub bench's memory is not counted here).
 */
const specBytes = gunzipSync(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'specs', 'dataverse-metadata.edmx.gz')));
const integration: Integration = {
  apiVersion: 'intctl.dev/v1alpha1',
  kind: 'Integration',
  metadata: { name: 'dataverse' },
  spec: { system: 'odata', source: { path: 'specs/dataverse.edmx' }, connection: 'dataverse', environments: ['dev'] },
};
const WARMUP = 1;
const ITERATIONS = Number(process.env.INTCTL_BENCH_GENERATE_RUNS ?? 3);
const durations: number[] = [];
let actions = 0;

/** Vitest runs no hooks in bench mode, so the last run reports; warm-up runs are left out. */
function report(): void {
  const runs = durations.slice(WARMUP);
  const middle = median(runs);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const line =
    `generate dataverse-metadata.edmx (${(specBytes.byteLength / 1e6).toFixed(1)} MB, ${actions} actions): ` +
    `median ${(middle / 1000).toFixed(2)} s over ${runs.length} runs, peak RSS ${peakMiB.toFixed(0)} MiB`;
  process.stderr.write(`${line}\n`);
  // Also recorded, since the benchmark reporter may not show what a bench file prints.
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'generate-dataverse.json'), `${JSON.stringify({ spec: 'dataverse-metadata.edmx', bytes: specBytes.byteLength, actions, runs: runs.length, medianMs: Math.round(middle), peakRssMiB: Math.round(peakMiB) }, null, 2)}\n`);
}

describe('generation', () => {
  bench(
    'Microsoft Dataverse $metadata (835 entity sets), every entity and function',
    async () => {
      const started = performance.now();
      const result = await buildArtifact({ integration, specBytes, specPath: 'specs/dataverse.edmx' });
      durations.push(performance.now() - started);
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
      actions = result.value.catalog.actions.length;
      if (durations.length === WARMUP + ITERATIONS) report();
    },
    { iterations: ITERATIONS, warmupIterations: WARMUP, time: 0, warmupTime: 0 },
  );
});
