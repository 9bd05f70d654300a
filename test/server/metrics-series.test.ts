/**
 * The series operators alert on are there from the start: scraped from /metrics of a real
 * controller before any environment has been reconciled, with every counter at zero, every
 * environment's conditions (Unknown) and last success (0), the build, and prom-client's default
 * process_* and nodejs_* series under their standard names.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readControllerConfig } from '../../controller/config/read-config.ts';
import type { EnvironmentDriver } from '../../controller/environments/driver.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import { CONDITION_TYPES, createMetrics, ERROR_REASONS } from '../../controller/observability/metrics.ts';
import { createController } from '../../controller/process/controller.ts';
import { startController, type RunningController } from '../../controller/process/start-controller.ts';
import { createStatusWriter } from '../../controller/reporting/status-branch/create-status-writer.ts';
import { createGithubMetrics } from '../../controller/reporting/github/github-metrics.ts';
import { createGithubReporter } from '../../controller/reporting/github/github-reporter.ts';
import { buildServer } from '../../controller/server/build-server.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { until } from '../support/time.ts';
import { createFixtureRepo, createRemoteAndClone } from '../runtime/support/fixture-repo.ts';
import { localGitSource } from '../runtime/support/local-git-source.ts';
import { manualTimers } from '../runtime/support/manual-timers.ts';

let work: string;
let closers: Array<() => Promise<unknown>> = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-metrics-'));
});
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
  await rm(work, { recursive: true, force: true });
});

/** Every sample of the text format, as `name{labels}` (labels sorted) to value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => `${m[1]}="${m[2]}"`).sort();
    out.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return out;
}

const conditionKey = (environment: string, type: string, status: string) => `intctl_environment_condition{environment="${environment}",status="${status}",type="${type}"}`;

describe('metrics before any reconcile', () => {
  it('has every environment its conditions (all Unknown) and last success (0) once known, before its first reconcile ends', async () => {
    const repo = join(work, 'repo');
    await createFixtureRepo(repo);
    const clock = manualTimers();
    const metrics = createMetrics();
    // The environments' drivers open only when the test lets them: no reconcile can end before.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const opened: string[] = [];
    const controller = createController({
      source: localGitSource(repo),
      openDriver: async (environment): Promise<EnvironmentDriver> => {
        opened.push(environment.manifest.metadata.name);
        await gate;
        return openDriver(environment.manifest, { stateDir: join(work, 'state') });
      },
      holder: 'metrics-test',
      leaseTtlMs: 30_000,
      logger: createLogger({ level: 'silent' }),
      metrics,
      queue: { concurrency: 2, backoff: { baseMs: 1000, maxMs: 8000, jitter: 0 }, requeueWaitingMs: 60_000, timers: clock.timers },
    });
    closers.push(() => controller.stop());
    const server = await buildServer({
      logger: createLogger({ level: 'silent' }),
      readiness: () => controller.readiness(),
      statuses: () => controller.statuses(),
      registry: metrics.registry,
      enqueueAll: (reason) => controller.enqueueAll(reason),
      enqueue: (names, reason) => controller.enqueue(names, reason),
    });
    closers.push(() => server.close());

    const scrape = async () => samples((await server.inject('/metrics')).body);
    const before = await scrape();
    for (const reason of ERROR_REASONS) expect(before.get(`intctl_reconcile_errors_total{reason="${reason}"}`), reason).toBe(0);
    expect(before.get('intctl_queue_depth{}')).toBe(0);
    expect(before.get('intctl_git_fetch_duration_seconds_count{result="failure"}')).toBe(0);
    expect(before.get('intctl_git_fetch_duration_seconds_count{result="success"}')).toBe(0);
    expect([...before.keys()].filter((k) => k.startsWith('intctl_build_info'))).toEqual([expect.stringMatching(/^intctl_build_info\{nodejs_version="\d+\.\d+\.\d+",version="unknown"\}$/)]);

    controller.enqueueAll('start');
    await until('a reconcile of dev to open its driver', () => opened.includes('dev'));
    expect(controller.statuses()).toEqual([]);
    const known = await scrape();
    for (const environment of ['dev', 'test']) {
      expect(known.get(`intctl_last_successful_reconcile_timestamp_seconds{environment="${environment}"}`), environment).toBe(0);
      for (const type of CONDITION_TYPES) {
        expect([known.get(conditionKey(environment, type, 'Unknown')), known.get(conditionKey(environment, type, 'True')), known.get(conditionKey(environment, type, 'False'))]).toEqual([1, 0, 0]);
      }
    }

    release();
    await controller.queue.idle();
    const after = await scrape();
    expect(controller.statuses().map((s) => s.outcome)).toEqual(['Applied', 'Applied']);
    for (const environment of ['dev', 'test']) {
      expect(after.get(`intctl_last_successful_reconcile_timestamp_seconds{environment="${environment}"}`)).toBe(Date.parse(controller.statuses().find((s) => s.environment === environment)!.lastSuccessfulReconcileTime!) / 1000);
      expect(after.get(conditionKey(environment, 'Ready', 'True'))).toBe(1);
      expect(after.get(conditionKey(environment, 'Ready', 'Unknown'))).toBe(0);
      expect(after.get(conditionKey(environment, 'Stalled', 'False'))).toBe(1);
    }
  });

  it('serves the build, the standard process_* and nodejs_* series and zeroed counters from a started controller', async () => {
    // Nothing pushed yet: the controller fetches and finds no branch, so nothing is reconciled.
    const { remote } = await createRemoteAndClone(work);
    await writeFile(join(work, 'controller.yaml'), `git: { url: ${remote}, branch: main }\nlisten: { host: 127.0.0.1, port: 0 }\npoll: { schedule: off }\nstateDir: state\nlogLevel: silent\n`);
    const config = await readControllerConfig({ file: join(work, 'controller.yaml'), env: { PATH: process.env.PATH, HOME: process.env.HOME }, cwd: work });
    const running: RunningController = await startController(config, { createGitSource, createStatusWriter });
    closers.push(() => running.stop());
    const text = await (await fetch(`${running.url}/metrics`)).text();
    const series = samples(text);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect([...series.keys()].some((k) => k.startsWith(`${name}{`)), name).toBe(true);
    }
    expect([...series.keys()].some((k) => k.startsWith('intctl_process_') || k.startsWith('intctl_nodejs_'))).toBe(false);
    const { version } = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(series.get(`intctl_build_info{nodejs_version="${process.versions.node}",version="${version}"}`)).toBe(1);
    expect(series.get('intctl_reconcile_errors_total{reason="ValidationFailed"}')).toBe(0);
  });

  it('counts GitHub report failures from zero once GitHub is configured', async () => {
    const metrics = createMetrics();
    createGithubReporter({ client: {} as never, kind: 'statuses', logger: createLogger({ level: 'silent' }), metrics: createGithubMetrics(metrics.registry) });
    expect(samples(await metrics.registry.metrics()).get('intctl_github_report_failures_total{kind="statuses"}')).toBe(0);
  });
});
