import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { buildArtifact } from '../controller/artifact/build-artifact.ts';
import { GITHUB_INTEGRATION, GITHUB_SPEC_PATH, githubSpecBytes } from './support/github-description.ts';

/**
 * Generation of one large real specification: GitHub's REST API description from
 * @octokit/openapi (over 1,100 operations), every entity and function, with declarations.
 * Prints the median wall time and the peak resident memory of the process.
 */
const specBytes = githubSpecBytes;
const WARMUP = 1;
const ITERATIONS = 5;
const durations: number[] = [];
let actions = 0;

/** Vitest runs no hooks in bench mode, so the last run reports; warm-up runs are left out. */
function report(): void {
    const sorted = durations.slice(WARMUP).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    const line =
      `generate api.github.com.json (${(specBytes.byteLength / 1e6).toFixed(1)} MB, ${actions} actions): ` +
      `median ${(median / 1000).toFixed(2)} s over ${sorted.length} runs, peak RSS ${peakMiB.toFixed(0)} MiB`;
    process.stderr.write(`${line}\n`);
    // Also recorded, since the benchmark reporter may not show what a bench file prints.
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(join(import.meta.dirname, 'results', 'generate.json'), `${JSON.stringify({ spec: 'api.github.com.json', bytes: specBytes.byteLength, actions, runs: sorted.length, medianMs: Math.round(median), peakRssMiB: Math.round(peakMiB) }, null, 2)}\n`);
}

describe('generation', () => {
  bench(
    'GitHub REST API (@octokit/openapi), every entity and function',
    async () => {
      const started = performance.now();
      const result = await buildArtifact({ integration: GITHUB_INTEGRATION, specBytes, specPath: GITHUB_SPEC_PATH });
      durations.push(performance.now() - started);
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
      actions = result.value.catalog.actions.length;
      if (durations.length === WARMUP + ITERATIONS) report();
    },
    { iterations: ITERATIONS, warmupIterations: WARMUP, time: 0, warmupTime: 0 },
  );
});
