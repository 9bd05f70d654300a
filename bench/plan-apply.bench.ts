import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { applyPlan } from '../controller/reconcilers/environment/apply-plan.ts';
import { buildArtifact } from '../controller/artifact/build-artifact.ts';
import { plan, type DesiredState, type PlanPolicy } from '../controller/core/plan.ts';
import type { ConnectionRecord, PublishedIntegration } from '../controller/core/environment-state.ts';
import type { DependencyName } from '../controller/core/dependencies.ts';
import type { EmbeddedEnvironment } from '../controller/environments/embedded/embedded-environment.ts';
import { openEmbeddedEnvironment } from '../controller/environments/embedded/open-embedded-environment.ts';
import type { Integration } from '../controller/generated/manifests.ts';
import { breakingCheck } from '../controller/reconcilers/environment/breaking-check.ts';
import { connectionFingerprint } from '../controller/secrets/connection-fingerprint.ts';
import { sealSecret } from '../controller/secrets/seal-secret.ts';
import { median } from './support/median.ts';

/**
 * Plan and apply into the embedded environment (a SQLite file), for 1,000 and 10,000
 * integrations: a cold plan and apply into a new environment, and a re-plan (observe + plan)
 * when nothing changed. Generating 10,000 artifacts through the generators would measure the
 * generators, so the desired states are synthetic records around real catalogs: four selections
 * of the shop OpenAPI fixture, generated once. One connection per ten integrations, their
 * secrets sealed to the environment, referenced by variable or by file.
 *
 * Prints, and writes to bench/results/plan-apply.json, the median wall time of each case over
 * its measured runs (warm-up runs left out), and the peak memory seen while it ran: resident
 * set size and V8 heap, sampled at every step and every 500 actions.
 */

const POLICY: PlanPolicy = { prune: true, selfHeal: true, allowBreaking: false };
const APPLY = { holder: 'bench', leaseTtlMs: 60_000, commit: 'b'.repeat(40) };
const PINS: Partial<Record<DependencyName, string>> = {
  'integration-utils': '2.4.0',
  'common-shared-services': '1.8.2',
  'secret-manager': '1.3.0',
  'integration-manager': '3.1.0',
  'sharepoint-utils': '1.2.1',
};

interface Case {
  name: string;
  iterations: number;
  warmups: number;
  durations: number[];
  /** Of the measured runs only. */
  peakRssMiB: number;
  peakHeapMiB: number;
  detail: Record<string, number[]>;
}

const cases: Case[] = [];
let measuring = false;
let current: Case | undefined;
let reported = false;

function defineCase(name: string, iterations: number, warmups = 1): Case {
  const c: Case = { name, iterations, warmups, durations: [], peakRssMiB: 0, peakHeapMiB: 0, detail: {} };
  cases.push(c);
  return c;
}

function sample(): void {
  if (!measuring || !current) return;
  const { rss, heapUsed } = process.memoryUsage();
  current.peakRssMiB = Math.max(current.peakRssMiB, rss / 2 ** 20);
  current.peakHeapMiB = Math.max(current.peakHeapMiB, heapUsed / 2 ** 20);
}

function record(c: Case, total: number, parts: Record<string, number>): void {
  if (!measuring) return;
  c.durations.push(total);
  for (const [part, ms] of Object.entries(parts)) (c.detail[part] ??= []).push(ms);
  report();
}


/** Vitest runs no hooks in bench mode, so each measured run records itself; the last one prints. */
function report(): void {
  const rows = cases.map((c) => ({
    case: c.name,
    runs: c.durations.length,
    medianMs: Math.round(median(c.durations) * 10) / 10,
    minMs: Math.round(Math.min(...c.durations) * 10) / 10,
    maxMs: Math.round(Math.max(...c.durations) * 10) / 10,
    ...Object.fromEntries(Object.entries(c.detail).map(([part, values]) => [`median${part}Ms`, Math.round(median(values) * 10) / 10])),
    peakRssMiB: Math.round(c.peakRssMiB),
    peakHeapMiB: Math.round(c.peakHeapMiB),
  }));
  const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', 'plan-apply.json'), `${JSON.stringify({ cases: rows, processPeakRssMiB: maxRssMiB }, null, 2)}\n`);
  if (reported || cases.some((c) => c.durations.length < c.iterations)) return;
  reported = true;
  const lines = rows.map((r) => {
    const parts = Object.entries(r)
      .filter(([k]) => k.startsWith('median') && k !== 'medianMs')
      .map(([k, v]) => `${k.slice('median'.length, -'Ms'.length).toLowerCase()} ${v} ms`)
      .join(', ');
    return `  ${r.case.padEnd(44)} median ${String(r.medianMs).padStart(8)} ms over ${r.runs} runs (min ${r.minMs}, max ${r.maxMs})${parts ? ` [${parts}]` : ''}; peak RSS ${r.peakRssMiB} MiB, peak heap ${r.peakHeapMiB} MiB`;
  });
  process.stderr.write(`\nplan + apply into the embedded environment:\n${lines.join('\n')}\n  process peak RSS (getrusage maxRSS): ${maxRssMiB} MiB\n\n`);
}

// Real catalogs, four selections of one specification, generated once.
const shopSpec = readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'specs', 'shop-openapi.yaml'));
const selections: Integration['spec']['entities'][] = [
  undefined,
  [{ name: 'products', operations: ['Get', 'Search', 'Count'] }],
  [{ name: 'products', operations: ['Get', 'Create', 'Update'] }],
  [{ name: 'products', operations: ['Get'] }],
];
const artifacts = await Promise.all(
  selections.map(async (entities, n) => {
    const integration: Integration = {
      apiVersion: 'intctl.dev/v1alpha1',
      kind: 'Integration',
      metadata: { name: `shop-${n}` },
      spec: { system: 'openapi', source: { path: 'specs/shop.yaml' }, connection: 'shop', environments: ['dev'], ...(entities ? { entities } : {}) },
    };
    const built = await buildArtifact({ integration, specBytes: shopSpec, specPath: 'specs/shop.yaml', pins: PINS, authType: 'basic' });
    if (!built.ok) throw new Error(`bench setup: ${JSON.stringify(built.problems)}`);
    return built.value;
  }),
);
const catalogBytes = artifacts.map((a) => JSON.stringify(a.catalog).length);

function integrations(size: number): PublishedIntegration[] {
  return Array.from({ length: size }, (_, n) => {
    const name = `integration-${String(n).padStart(5, '0')}`;
    const artifact = artifacts[n % artifacts.length]!;
    const artifactHash = `sha256:${createHash('sha256').update(`${name}:${artifact.hash}`).digest('hex')}`;
    return {
      name,
      version: artifactHash.slice(7, 19),
      artifactHash,
      system: 'openapi',
      catalog: { ...artifact.catalog, integration: name },
      requires: artifact.requires as PublishedIntegration['requires'],
      connection: `connection-${String(n % Math.max(1, size / 10)).padStart(4, '0')}`,
      commit: APPLY.commit,
    };
  });
}

/** The connections as the controller builds them for one environment: sealed to its key, fingerprinted with its key. */
async function connections(size: number, driver: EmbeddedEnvironment): Promise<ConnectionRecord[]> {
  const publicKey = await driver.publicKey();
  const fingerprintKey = await driver.fingerprintKey();
  return Array.from({ length: Math.max(1, size / 10) }, (_, n) => {
    const name = `connection-${String(n).padStart(4, '0')}`;
    const base = { name, system: 'openapi', authType: 'basic', parameters: { endpoint: `https://api-${n}.example.com/v1`, username: `svc-${n}` } };
    const kind = n % 3;
    const input = kind === 0 ? { plain: `password-${n}` } : kind === 1 ? { env: `PASSWORD_${n}` } : { file: `/run/secrets/${name}` };
    const stored = kind === 0 ? { sealed: sealSecret(publicKey, `password-${n}`) } : kind === 1 ? { env: `PASSWORD_${n}` } : { file: `/run/secrets/${name}` };
    return { ...base, secrets: { password: stored }, fingerprint: connectionFingerprint(fingerprintKey, base, { password: input }) };
  });
}

async function freshEnvironment(): Promise<{ driver: EmbeddedEnvironment; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-bench-'));
  const driver = await openEmbeddedEnvironment(join(dir, 'dev.sqlite'), { name: 'dev' });
  return {
    driver,
    dispose: async () => {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function benchCold(size: number, iterations: number): void {
  const c = defineCase(`cold plan + apply, ${size.toLocaleString('en')} integrations`, iterations);
  const desiredIntegrations = integrations(size);
  bench(
    c.name,
    async () => {
      current = c;
      const { driver, dispose } = await freshEnvironment();
      try {
        const desired: DesiredState = { environment: 'dev', dependencies: PINS, integrations: desiredIntegrations, connections: await connections(size, driver) };
        sample();
        const started = performance.now();
        const observed = await driver.observe();
        const planned = plan(desired, observed, POLICY, breakingCheck);
        const planMs = performance.now() - started;
        sample();
        const result = await applyPlan(driver, planned, { ...APPLY, onAction: (_a, _o, index) => void (index % 500 === 0 && sample()) });
        const total = performance.now() - started;
        sample();
        if (result.status !== 'Applied' || result.applied !== planned.actions.length) throw new Error(`apply did not complete: ${JSON.stringify(result)}`);
        record(c, total, { Plan: planMs, Apply: total - planMs });
      } finally {
        await dispose();
      }
    },
    { iterations, warmupIterations: c.warmups, time: 0, warmupTime: 0, setup: (_task, mode) => void (measuring = mode === 'run') },
  );
}

function benchReplan(size: number, iterations: number): void {
  const c = defineCase(`re-plan, nothing changed, ${size.toLocaleString('en')} integrations`, iterations);
  let environment: { driver: EmbeddedEnvironment; desired: DesiredState; dispose: () => Promise<void> } | undefined;
  bench(
    c.name,
    async () => {
      current = c;
      if (!environment) {
        const { driver, dispose } = await freshEnvironment();
        const desired: DesiredState = { environment: 'dev', dependencies: PINS, integrations: integrations(size), connections: await connections(size, driver) };
        await applyPlan(driver, plan(desired, await driver.observe(), POLICY, breakingCheck), APPLY);
        environment = { driver, desired, dispose };
      }
      // Built afresh, as every reconcile does: plain secrets sealed anew, which must not look like a change.
      const desired = { ...environment.desired, connections: await connections(size, environment.driver) };
      sample();
      const started = performance.now();
      const observed = await environment.driver.observe();
      const observeMs = performance.now() - started;
      sample();
      const planned = plan(desired, observed, POLICY, breakingCheck);
      const total = performance.now() - started;
      sample();
      if (planned.actions.length > 0 || planned.notices.length > 0) throw new Error(`nothing changed, yet the plan has ${planned.actions.length} actions`);
      record(c, total, { Observe: observeMs, Plan: total - observeMs });
      if (c.durations.length === c.iterations) {
        await environment.dispose();
        environment = undefined;
      }
    },
    { iterations, warmupIterations: c.warmups, time: 0, warmupTime: 0, setup: (_task, mode) => void (measuring = mode === 'run') },
  );
}

describe(`plan and apply, embedded environment (catalogs of ${catalogBytes.join(', ')} bytes)`, () => {
  benchCold(1_000, 10);
  benchReplan(1_000, 20);
  benchCold(10_000, 5);
  benchReplan(10_000, 10);
});
