import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { bench, describe } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderDeclarations } from '../controller/artifact/declarations.ts';
import type { Integration } from '../controller/generated/manifests.ts';
import { GENERATORS } from '../controller/generators/registry.ts';
import { integrationAt, writeExamplesAtScale, type ScaleShape } from '../test/support/examples-at-scale.ts';
import { median } from './support/median.ts';
// @ts-expect-error: plain JavaScript, without declarations
import { buildIsFresh } from '../bin/fresh-build.js';

/**
 * `intctl validate`, `plan` and `apply` as a user runs them, each a process of its own started
 * from the CLI's bin (its ahead-of-time build, made first if it is missing or stale), on a
 * repository shaped like examples/ at scale: INTCTL_BENCH_CLI_INTEGRATIONS integrations (1,000)
 * over 50 teams, rotating over the three example specifications, three environments; `--env dev`.
 * INTCTL_BENCH_CLI_SHAPE=distinct gives each integration a specification of its own instead (a
 * copy of the OpenAPI example with its own title): nothing can be shared.
 * Beside them, the floor of a cold reconcile: read every file, parse every manifest with `yaml`,
 * hash every file, generate once per distinct specification and selection with intctl's own
 * generators, and write every integration in one SQLite transaction.
 *
 * Each case runs INTCTL_BENCH_CLI_RUNS times (3). Prints, and writes to bench/results/cli-scale-<shape>-<size>.json,
 * the median CPU seconds (user + system of the CLI's process, Node's start-up and module loading
 * included; of this process for the floor), wall seconds and peak RSS of each case, with the load
 * average when the run started. A process of its own per run, as in a CI job: nothing of an
 * earlier run (compiled code, an observed environment) is kept in memory for the next.
 */

const SIZE = Number(process.env.INTCTL_BENCH_CLI_INTEGRATIONS ?? 1000);
const RUNS = Number(process.env.INTCTL_BENCH_CLI_RUNS ?? 3);
/** `shared` (copies of the three examples) or `distinct` (copies of the OpenAPI example, each with a specification of its own). */
const KIND = process.env.INTCTL_BENCH_CLI_SHAPE === 'distinct' ? 'distinct' : 'shared';
const SHAPE: ScaleShape = KIND === 'distinct' ? { integrations: SIZE, teams: 50, rotate: ['crm'], distinctSpecs: true } : { integrations: SIZE, teams: 50 };

const work = mkdtempSync(join(tmpdir(), 'intctl-cli-scale-'));
const repo = join(work, 'repo');
await writeExamplesAtScale(repo, SHAPE);
const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');

interface Sample {
  cpuS: number;
  wallS: number;
  peakRssMiB: number;
}
const results = new Map<string, Sample[]>();
const order: string[] = [];
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
sampler.unref();

/** Measures one run of a case: the CLI process's own CPU and peak RSS when it ran one, else this process's. */
async function measure(name: string, run: () => Promise<void>, prepare?: () => Promise<void>): Promise<void> {
  await prepare?.();
  if (!results.has(name)) {
    results.set(name, []);
    order.push(name);
  }
  lastUsage = undefined;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  peakRss = process.memoryUsage.rss();
  await run();
  const used = process.cpuUsage(cpu);
  const wallS = (performance.now() - wall) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  // Set by intctl() during the run (the compiler cannot see it change across the await).
  const child = lastUsage as Usage | undefined;
  results.get(name)!.push(child ? { ...child, wallS } : { cpuS: (used.user + used.system) / 1e6, wallS, peakRssMiB: peakRss / 2 ** 20 });
  report();
}


function report(): void {
  const rows = order.map((name) => {
    const samples = results.get(name)!;
    return {
      case: name,
      runs: samples.length,
      medianCpuS: Math.round(median(samples.map((s) => s.cpuS)) * 100) / 100,
      medianWallS: Math.round(median(samples.map((s) => s.wallS)) * 100) / 100,
      medianPeakRssMiB: Math.round(median(samples.map((s) => s.peakRssMiB))),
    };
  });
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', `cli-scale-${KIND}-${SIZE}.json`), `${JSON.stringify({ integrations: SIZE, shape: KIND, loadAtStart, cases: rows }, null, 2)}\n`);
  if (rows.some((r) => r.runs < RUNS) || rows.length < CASES) return;
  const lines = rows.map((r) => `  ${r.case.padEnd(40)} ${String(r.medianCpuS).padStart(8)} CPU-s ${String(r.medianWallS).padStart(8)} s wall ${String(r.medianPeakRssMiB).padStart(6)} MiB peak RSS  (median of ${r.runs})`);
  process.stderr.write(`\nintctl CLI, ${SIZE.toLocaleString('en')} integrations shaped like examples/, ${KIND === 'distinct' ? 'each with a specification of its own' : 'sharing three specifications'} (load average at start: ${loadAtStart}):\n${lines.join('\n')}\n\n`);
}

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'intctl.js');
const REPORT_USAGE = pathToFileURL(join(import.meta.dirname, 'support', 'report-usage.mjs')).href;
// The build a user's `npm install` makes: without it, bin/intctl.js would compile the source on every start.
if (!buildIsFresh(ROOT)) execFileSync(process.execPath, [join(ROOT, 'bin', 'build.js')], { stdio: 'inherit' });

interface Usage {
  cpuS: number;
  peakRssMiB: number;
}
/** What the last CLI process used, as it reported it (bench/support/report-usage.mjs). */
let lastUsage: Usage | undefined;

/** Runs the CLI as a user does, in a process of its own; output is kept only to check the exit code. */
async function intctl(args: string[], expected: number[], env: Record<string, string> = {}): Promise<void> {
  const usageFile = join(work, 'usage.json');
  rmSync(usageFile, { force: true });
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REPORT_USAGE, BIN, ...args], { cwd: repo, env: { ...process.env, ...env, INTCTL_BENCH_USAGE_FILE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const keep = (chunk: Buffer): void => void (text.length < 4096 && (text += chunk.toString()));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, out: text }));
  });
  if (code === null || !expected.includes(code)) throw new Error(`intctl ${args.join(' ')} exited ${code}: ${out}`);
  lastUsage = JSON.parse(readFileSync(usageFile, 'utf8')) as Usage;
}

/** A state directory and a cache directory, both empty: a first run on a new machine. */
function fresh(): { args: string[]; env: Record<string, string>; dispose: () => void } {
  const dir = mkdtempSync(join(work, 'run-'));
  return { args: ['--repo', repo, '--state-dir', join(dir, 'state')], env: { INTCTL_CACHE_DIR: join(dir, 'cache') }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether this checkout's CLI has --no-cache (the bench also runs against older checkouts, for a before). */
async function hasNoCache(): Promise<boolean> {
  return execFileSync(process.execPath, [BIN, 'plan', '--help'], { cwd: repo, encoding: 'utf8' }).includes('--no-cache');
}
const noCache = await hasNoCache();

/** The floor: what a cold reconcile cannot do without. */
async function floor(): Promise<void> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else files.push(join(dir, entry.name));
    }
  };
  walk(repo);
  const integrations: Integration[] = [];
  const hashes: string[] = [];
  const specs = new Map<string, Uint8Array>();
  for (const file of files) {
    const bytes = readFileSync(file);
    hashes.push(createHash('sha256').update(bytes).digest('hex'));
    const path = relative(repo, file);
    if (path.startsWith('specs/')) specs.set(path, bytes);
    else if (file.endsWith('.yaml')) {
      for (const doc of parseAllDocuments(bytes.toString('utf8'))) {
        const manifest = doc.toJS() as Integration | null;
        if (manifest?.kind === 'Integration') integrations.push(manifest);
      }
    }
  }
  const generated = new Map<string, unknown>();
  for (const integration of integrations) {
    const key = JSON.stringify([integration.spec.source, integration.spec.entities, integration.spec.functions]);
    if (generated.has(key)) continue;
    const generator = GENERATORS[integration.spec.system]!;
    const model = await generator.parse(specs.get(integration.spec.source.path!)!, integration.spec.source);
    if (!model.ok) throw new Error('floor: cannot parse');
    const catalog = generator.generate(model.value, { name: integration.metadata.name, spec: integration.spec, specPath: integration.spec.source.path!, dependencies: {} });
    if (!catalog.ok) throw new Error('floor: cannot generate');
    generated.set(key, { catalog: catalog.value, declarations: await renderDeclarations(catalog.value) });
  }
  const dir = mkdtempSync(join(work, 'floor-'));
  const db = new Database(join(dir, 'floor.sqlite'));
  db.exec('CREATE TABLE published (name TEXT PRIMARY KEY, hash TEXT, catalog TEXT)');
  const insert = db.prepare('INSERT INTO published VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const integration of integrations) {
      const key = JSON.stringify([integration.spec.source, integration.spec.entities, integration.spec.functions]);
      insert.run(integration.metadata.name, hashes[0], JSON.stringify(generated.get(key)));
    }
  })();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

/** An integration file's text with a function less in its selection. */
function changedText(text: string, file: string): string {
  const changed = text.replace(/^ *- mergeCustomers\n/m, '');
  if (changed === text) throw new Error(`${file}: nothing to change`);
  return changed;
}

/** Changes one integration's selection (a function less), and puts it back after. */
function changeOneFile(n: number): () => void {
  const at = integrationAt(SHAPE, n - (n % 3));
  const path = join(repo, at.file);
  const text = readFileSync(path, 'utf8');
  writeFileSync(path, changedText(text, at.file));
  return () => writeFileSync(path, text);
}

/**
 * Vitest's runner calls a bench function more often than asked (warm-ups, a minimum of samples):
 * here one measured call runs every case RUNS times, and the other calls do nothing.
 */
let measuring = false;
let done = false;
const OPTIONS = { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0, setup: (_task: unknown, mode: 'warmup' | 'run') => void (measuring = mode === 'run') };
const cases: { name: string; run: () => Promise<void>; prepare?: () => Promise<void> }[] = [];
let CASES = 0;
/** A case; `prepare` runs before each measured run, unmeasured. */
function benchCase(name: string, run: () => Promise<void>, prepare?: () => Promise<void>): void {
  CASES++;
  cases.push({ name, run, ...(prepare ? { prepare } : {}) });
}

/** A cache directory a validate filled, kept for the validate with nothing changed. */
let validated: ReturnType<typeof fresh> | undefined;

/** An environment dev that an apply brought in step with the repository, kept for the no-change and one-file plans. */
let applied: ReturnType<typeof fresh> | undefined;
async function inStep(): Promise<ReturnType<typeof fresh>> {
  if (applied) return applied;
  applied = fresh();
  await intctl(['apply', '--env', 'dev', ...applied.args], [0], applied.env);
  return applied;
}

{
  benchCase('floor of the cold reconcile', floor);
  // validate keeps what files made in the cache directory too: a first run (an empty cache), and a run with nothing changed.
  benchCase('validate', async () => {
    const run = fresh();
    try {
      await intctl(['validate', '--repo', repo], [0], run.env);
    } finally {
      run.dispose();
    }
  });
  benchCase(
    'validate, nothing changed',
    () => intctl(['validate', '--repo', repo], [0], validated!.env),
    async () => {
      if (validated) return;
      validated = fresh();
      await intctl(['validate', '--repo', repo], [0], validated.env);
    },
  );
  benchCase('plan --env dev, cold', async () => {
    const run = fresh();
    try {
      await intctl(['plan', '--env', 'dev', ...run.args], [2], run.env);
    } finally {
      run.dispose();
    }
  });
  benchCase('apply --env dev, cold', async () => {
    const run = fresh();
    try {
      await intctl(['apply', '--env', 'dev', ...run.args], [0], run.env);
    } finally {
      run.dispose();
    }
  });
  const prepare = async (): Promise<void> => void (await inStep());
  benchCase('plan --env dev, nothing changed', () => intctl(['plan', '--env', 'dev', ...applied!.args], [0], applied!.env), prepare);
  if (noCache) {
    benchCase('plan --env dev, nothing changed, --no-cache', () => intctl(['plan', '--env', 'dev', '--no-cache', ...applied!.args], [0], applied!.env), prepare);
  }
  let changes = 0;
  benchCase(
    'plan --env dev, one file changed',
    async () => {
      const restore = changeOneFile(3 * ++changes);
      try {
        await intctl(['plan', '--env', 'dev', ...applied!.args], [2], applied!.env);
      } finally {
        restore();
      }
    },
    prepare,
  );
}

describe(`intctl CLI at scale (${SIZE} integrations)`, () => {
  bench(
    `validate, plan and apply through main(), ${RUNS} runs of each`,
    async () => {
      if (!measuring || done) return;
      done = true;
      for (let i = 0; i < RUNS; i++) for (const c of cases) await measure(c.name, c.run, c.prepare);
      applied?.dispose();
      validated?.dispose();
      rmSync(work, { recursive: true, force: true });
    },
    OPTIONS,
  );
});
