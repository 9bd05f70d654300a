import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { until } from '../test/support/time.ts';
import type { RecordedRequest } from '../test/support/github/github-stand-in.ts';
import { createWorld, environment, type World } from '../test/github/support/pull-request-world.ts';
import { PINS } from '../test/support/manifests.ts';
import { median } from './support/median.ts';
import { integrationFile, integrationManifest, specificationFiles } from './support/odata-repository.ts';

/**
 * From a pull request's webhook to its check runs, in a repository of 10,000 integrations (each in
 * its own file, over two small OData specifications), one connection, in dev and prod (prod
 * requires two approvals): the world of the pull-request tests (test/github/support/
 * pull-request-world.ts), so the controller runs as in production, in this process: its webhook
 * server, GitHub reporter (as a GitHub App) and Git source, against a bare Git remote that
 * publishes `refs/pull/<n>/head` and the GitHub stand-in that checks every request against
 * GitHub's description. GitHub writes are paced 25 ms apart, as in the tests (GitHub asks for a
 * second; see the report).
 *
 * Set-up (not measured): the repository pushed, the controller started and the cold reconcile of
 * main applied in both environments. Then each run opens a pull request changing one integration
 * file (pushed before the clock starts), delivers its signed `pull_request` webhook (`opened`,
 * a real payload of @octokit/webhooks-examples) and measures, on the stand-in's clock, the time
 * until it received the request completing the first check run and the last one. 5 runs after
 * 1 warm-up; medians.
 *
 * INTCTL_BENCH_WEBHOOK_INTEGRATIONS: the size of the repository (10,000 unless told).
 * INTCTL_BENCH_WEBHOOK_PINS=distinct: dev pins other versions of the shared dependencies than prod
 * (each environment then has its own identity of every integration to keep).
 * INTCTL_BENCH_WEBHOOK_PROFILE: a file to write a CPU profile of the last run to (.cpuprofile).
 * INTCTL_BENCH_WEBHOOK_WRITE_INTERVAL_MS: the least time between two GitHub writes (25 unless
 * told; 1000 is GitHub's own pace, which octokit's throttling keeps in production).
 *
 * Vitest runs no hooks in bench mode, so the first bench sets up and the last run of the second
 * prints the medians, writes bench/results/webhook-check-run.json and closes the world.
 */
const INTEGRATIONS = Number(process.env.INTCTL_BENCH_WEBHOOK_INTEGRATIONS ?? 10_000);
const PROFILE = process.env.INTCTL_BENCH_WEBHOOK_PROFILE;
const PINS_DISTINCT = process.env.INTCTL_BENCH_WEBHOOK_PINS === 'distinct';
const RUNS = 5;
const WRITE_INTERVAL_MS = Number(process.env.INTCTL_BENCH_WEBHOOK_WRITE_INTERVAL_MS ?? 25);
const ENVIRONMENTS = ['dev', 'prod'];
/** The repository on main; the world adds its dev and prod environments (and README). */
function repository(): Record<string, string> {
  const files: Record<string, string> = {
    // The world's own crm integration and connection give way to the bench's.
    'integrations/crm.yaml': '# one file per integration, under integrations/NN/\n',
    'connections/crm.yaml': `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: backend }
spec:
  system: odata
  auth: { type: basic }
  environments:
    dev: { endpoint: "https://backend-dev.example.com/odata", username: bench, password: { env: BACKEND_DEV_PASSWORD } }
    prod: { endpoint: "https://backend.example.com/odata", username: bench, password: { env: BACKEND_PASSWORD } }
`,
  };
  if (PINS_DISTINCT) files['environments/dev.yaml'] = environment('dev', { requiredApprovals: 0, allowBreaking: true }, { ...PINS, 'integration-manager': '3.1.2', 'sharepoint-utils': '1.2.1' });
  Object.assign(files, specificationFiles());
  for (let i = 0; i < INTEGRATIONS; i++) files[integrationFile(i)] = integrationManifest(i, '[Get]', ENVIRONMENTS);
  return files;
}

interface Run {
  /** From delivering the webhook to the request completing the first check run, and the last. */
  firstMs: number;
  lastMs: number;
  /**
   * CPU time of this process (controller, stand-in and all) from the webhook until the controller
   * was idle again, user and system: less at the mercy of other work on the machine than the wall
   * times. Git's own processes are not in it.
   */
  cpuMs: number;
  /** Until the controller asked for the pull request (webhook answered, request queued and taken). */
  pullReadMs: number;
  /** Until the check runs were started (in progress): the head fetched, loaded and compared with main. */
  startedMs: number;
  requests: number;
  /** Writes (creates and updates of check runs), which GitHub asks to space a second apart. */
  writes: number;
  conclusions: Record<string, string | null>;
}

let world: World | undefined;
let setupMs = 0;
const runs: Run[] = [];

const isCompleting = (r: RecordedRequest): boolean =>
  (r.operationId === 'checks/create' || r.operationId === 'checks/update') && (r.body as { status?: string } | null)?.status === 'completed';

/** Opens a pull request changing one integration; `measured` wraps the part from the webhook to the check runs (a profile, say). */
async function onePullRequest(w: World, number: number, measured: <T>(work: () => Promise<T>) => Promise<T> = (work) => work()): Promise<Run> {
  const index = (number * 997) % INTEGRATIONS;
  const head = await w.openPullRequest(number, { [integrationFile(index)]: integrationManifest(index, '[Get, Search]', ENVIRONMENTS) }, { announce: false });
  // Pull requests come apart, not back to back: the client's pace between writes starts from the
  // last write of the run before, which is not this run's cost.
  await new Promise((resolve) => setTimeout(resolve, WRITE_INTERVAL_MS));
  const before = w.gh.requests.length;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await measured(async () => {
    const status = await w.announce(number, 'opened');
    if (status !== 202) throw new Error(`the pull_request webhook was answered ${status}`);
    const completed = () => ENVIRONMENTS.every((name) => w.checkRun(head, `intctl/${name}`)?.status === 'completed');
    await until(`the check runs of pull request #${number}`, completed, { timeoutMs: 120_000, everyMs: 5, explain: () => w.logs.text().slice(-4000) });
    await w.settle();
  });
  const { user, system } = process.cpuUsage(cpu);
  const requests = w.gh.requests.slice(before);
  const since = (r: RecordedRequest | undefined) => (r ? r.receivedAt - started : Number.NaN);
  const completing = requests.filter(isCompleting);
  if (completing.length !== ENVIRONMENTS.length) throw new Error(`expected ${ENVIRONMENTS.length} check runs completed, got ${completing.length}`);
  const planned = w.logs.lines().filter((l) => l.msg === 'planning pull request' && l.pullRequest === number);
  if (planned.length !== 1 || planned[0]!.changed !== 1) throw new Error(`expected one plan of one changed file, got ${JSON.stringify(planned)}`);
  if (w.gh.invalidRequests.length > 0) throw new Error(`invalid requests: ${JSON.stringify(w.gh.invalidRequests)}`);
  return {
    firstMs: since(completing[0]),
    lastMs: since(completing[completing.length - 1]),
    cpuMs: (user + system) / 1000,
    pullReadMs: since(requests.find((r) => r.operationId === 'pulls/get')),
    startedMs: since(requests.find((r) => r.operationId === 'checks/create')),
    requests: requests.length,
    writes: requests.filter((r) => r.method !== 'GET').length,
    conclusions: Object.fromEntries(ENVIRONMENTS.map((name) => [name, w.checkRun(head, `intctl/${name}`)?.conclusion ?? null])),
  };
}

async function profiled<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

function report(): void {
  const pick = (key: 'firstMs' | 'lastMs' | 'cpuMs' | 'pullReadMs' | 'startedMs') => Math.round(median(runs.map((r) => r[key])));
  const result = {
    integrations: INTEGRATIONS,
    environments: ENVIRONMENTS,
    pins: PINS_DISTINCT ? 'distinct' : 'same',
    githubWriteIntervalMs: WRITE_INTERVAL_MS,
    setupMs: Math.round(setupMs),
    runs: runs.length,
    firstCheckRunMs: pick('firstMs'),
    lastCheckRunMs: pick('lastMs'),
    cpuMs: pick('cpuMs'),
    pullRequestReadMs: pick('pullReadMs'),
    checkRunsStartedMs: pick('startedMs'),
    requestsPerRun: runs[0]?.requests,
    // At GitHub's pace of a second between writes, the last check run completes (writes - 1) s after the first write at the soonest.
    writesPerRun: runs[0]?.writes,
    conclusions: runs[0]?.conclusions,
    each: runs.map((r) => ({ firstMs: Math.round(r.firstMs), lastMs: Math.round(r.lastMs), cpuMs: Math.round(r.cpuMs) })),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stderr.write(
    `webhook to check runs, ${INTEGRATIONS} integrations in ${ENVIRONMENTS.length} environments: first completed median ${result.firstCheckRunMs} ms, ` +
      `last ${result.lastCheckRunMs} ms, CPU ${result.cpuMs} ms (${runs.length} runs; pull request read at ${result.pullRequestReadMs} ms, checks started at ${result.checkRunsStartedMs} ms), ` +
      `${result.writesPerRun} GitHub writes a run ${WRITE_INTERVAL_MS} ms apart at least, pins ${result.pins}, set-up ${(setupMs / 1000).toFixed(1)} s, peak RSS ${result.peakRssMiB} MiB\n`,
  );
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'webhook-check-run.json'), `${JSON.stringify(result, null, 2)}\n`);
}

describe(`pull request webhook to check runs, ${INTEGRATIONS} integrations`, () => {
  bench(
    'set-up: repository pushed, controller started, main applied cold in dev and prod',
    async () => {
      const started = performance.now();
      world = await createWorld({ files: repository(), env: { INTCTL_LOG_LEVEL: 'info' }, githubWriteIntervalMs: WRITE_INTERVAL_MS });
      setupMs = performance.now() - started;
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );

  bench(
    'from the signed pull_request webhook to its check runs completed',
    async () => {
      if (!world) throw new Error('the set-up bench builds the world');
      const w = world;
      const number = runs.length + 1;
      const last = runs.length === RUNS;
      const run = await onePullRequest(w, number, PROFILE && last ? (work) => profiled(PROFILE, work) : undefined);
      runs.push(run);
      if (runs.length === RUNS + 1) {
        // The first run is the warm-up (the pull-request code paths compiled), left out.
        runs.shift();
        report();
        await w.close();
        world = undefined;
      }
    },
    { iterations: RUNS + 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
