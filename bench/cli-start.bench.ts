import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { median } from './support/median.ts';

/**
 * How long the CLI takes to start and answer: `intctl --version` and `--help` from the
 * ahead-of-time build (dist/, made here first, as `npm install` makes it), `--version` from the
 * TypeScript source through tsx (a checkout whose build is stale), and `node -e 1`, the floor.
 * Each is a fresh process; medians of ITERATIONS runs, in one run of this file.
 */
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'intctl.js');
const ITERATIONS = 9;
execFileSync(process.execPath, [join(ROOT, 'bin', 'build.js')]);

const cases: Record<string, { args: string[]; env?: Record<string, string> }> = {
  'node -e 1 (the floor)': { args: ['-e', '1'] },
  'intctl --version': { args: [BIN, '--version'] },
  'intctl --help': { args: [BIN, '--help'] },
  'intctl --version, from source': { args: [BIN, '--version'], env: { INTCTL_FROM_SOURCE: '1' } },
};
const durations: Record<string, number[]> = {};


/** Vitest runs no hooks in bench mode, so the last case's last run reports every case. */
function report(): void {
  const medians = Object.fromEntries(Object.entries(durations).map(([name, runs]) => [name, Math.round(median(runs))]));
  for (const [name, ms] of Object.entries(medians)) process.stderr.write(`${name}: median ${ms} ms over ${ITERATIONS} runs\n`);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'cli-start.json'), `${JSON.stringify({ runs: ITERATIONS, medianMs: medians }, null, 2)}\n`);
}

describe('CLI start', () => {
  const names = Object.keys(cases);
  for (const name of names) {
    bench(
      name,
      () => {
        const { args, env } = cases[name]!;
        const started = performance.now();
        execFileSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
        (durations[name] ??= []).push(performance.now() - started);
        if (name === names.at(-1) && durations[name]!.length === ITERATIONS) report();
      },
      { iterations: ITERATIONS, warmupIterations: 0, time: 0, warmupTime: 0 },
    );
  }
});
