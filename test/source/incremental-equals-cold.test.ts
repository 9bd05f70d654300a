import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedStorePath, openDriver } from '../../controller/environments/open-driver.ts';
import { createArtifactCache } from '../../controller/process/artifact-cache.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import type { ReconcileReport } from '../../controller/reconcilers/environment/reconcile-environment.ts';
import type { ArtifactCache } from '../../controller/artifact/build-artifact.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import type { GitSource } from '../../controller/source/git-source.ts';
import type { Operation } from '../../controller/generated/manifests.ts';
import { integration as integrationManifest, toYaml } from '../support/manifests.ts';
import { commitToRemote, connection, ENVIRONMENT, makeRepo, spec, type Repo } from './support.ts';

/**
 * The controller keeps what it loaded, checked, generated and observed from one commit to the
 * next and redoes only what a commit touched. Whatever the history — integrations added, edited,
 * deleted, moved to another file, renamed, pointed at another specification, a specification
 * edited, a commit that breaks a manifest, a commit of an unrelated file — the reconcile of each
 * commit with everything kept plans exactly what a cold one (new source, new caches, the same
 * environment read afresh) plans for that commit, and finds the same problems.
 */
const NAMES = ['alpha', 'beta', 'gamma', 'delta'] as const;
const SPECS = {
  sales: { path: 'specs/sales.edmx', entity: 'A_SalesOrder' },
  crm: { path: 'specs/crm.edmx', entity: 'accounts' },
} as const;
type SpecName = keyof typeof SPECS;

type Change =
  | { op: 'put'; name: string; spec: SpecName; operations: Operation[] }
  | { op: 'delete'; name: string }
  | { op: 'move'; name: string }
  | { op: 'rename'; name: string; to: string }
  | { op: 'respec'; spec: SpecName; note: number }
  | { op: 'break'; name: string }
  | { op: 'touchOther'; note: number };

const name = fc.constantFrom(...NAMES);
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), name, spec: fc.constantFrom<SpecName>('sales', 'crm'), operations: fc.subarray<Operation>(['Get', 'Search', 'Count'], { minLength: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rename' as const), name, to: fc.constantFrom('epsilon', 'zeta') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('respec' as const), spec: fc.constantFrom<SpecName>('sales', 'crm'), note: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('break' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('touchOther' as const), note: fc.nat(1000) }) },
);
/**
 * Three to five commits a history, over three runs: an assert checks about 11.5 commits and 27.5
 * changes, as five runs of one to four did (about 11.2 and 26.8), more of them reached through a
 * longer history of kept caches, and two repositories and first applies fewer to pay for.
 */
const history = fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 5 });
const RUNS = 3;

/** Where each integration's manifest is, and what it says, so that changes can be applied to files. */
interface Model {
  files: Map<string, { path: string; spec: SpecName; operations: Operation[]; name: string }>;
}

function manifest(entry: { name: string; spec: SpecName; operations: Operation[] }, entity?: string): string {
  const s = SPECS[entry.spec];
  return toYaml(
    integrationManifest({ name: entry.name, system: 'odata', source: { path: s.path }, entities: [{ name: entity ?? s.entity, operations: entry.operations }], connection: 'sap', environments: ['dev'] }),
  );
}

/** Where a change is written: the start's work tree, or the changes of a commit made straight into the remote. */
type Files = Pick<Repo, 'write' | 'remove'>;

function applyChange(repo: Files, model: Model, c: Change): void {
  const at = (n: string) => model.files.get(n);
  switch (c.op) {
    case 'put': {
      const entry = { path: at(c.name)?.path ?? `integrations/${c.name}.yaml`, name: c.name, spec: c.spec, operations: c.operations };
      model.files.set(c.name, entry);
      repo.write(entry.path, manifest(entry));
      return;
    }
    case 'delete': {
      const entry = at(c.name);
      if (!entry) return;
      repo.remove(entry.path);
      model.files.delete(c.name);
      return;
    }
    case 'move': {
      const entry = at(c.name);
      if (!entry) return;
      repo.remove(entry.path);
      entry.path = entry.path.startsWith('integrations/moved/') ? `integrations/${c.name}.yaml` : `integrations/moved/${c.name}.yaml`;
      repo.write(entry.path, manifest(entry));
      return;
    }
    case 'rename': {
      const entry = at(c.name);
      if (!entry || model.files.has(c.to)) return;
      model.files.delete(c.name);
      entry.name = c.to;
      model.files.set(c.to, entry);
      repo.write(entry.path, manifest(entry));
      return;
    }
    case 'respec': {
      const fixture = c.spec === 'sales' ? 'sales-v2.edmx' : 'crm-v4.edmx';
      repo.write(SPECS[c.spec].path, `${spec(fixture)}\n<!-- revision ${c.note} -->\n`);
      return;
    }
    case 'break': {
      const entry = at(c.name);
      if (!entry) return;
      // A selection the specification does not offer: the commit has an error at a line of this file.
      repo.write(entry.path, manifest(entry, 'NoSuchEntity'));
      return;
    }
    case 'touchOther':
      repo.write('README.md', `revision ${c.note}\n`);
  }
}

/** What a reconcile decided, in the terms a reviewer reads: the plan's actions and the problems found. */
function decision(report: ReconcileReport): unknown {
  return {
    actions: (report.plan?.actions ?? []).map((a) => ({
      type: a.type,
      target: a.type === 'Publish' ? a.integration.name : a.type === 'UpsertConnection' ? a.connection.name : 'name' in a ? a.name : '',
      reason: a.reason,
      ...(a.type === 'Publish' ? { hash: a.integration.artifactHash, breaking: a.breaking } : {}),
    })),
    problems: report.problems.map((p) => [p.file, p.line, p.severity, p.reason, p.field ?? '', p.message]),
    // A plan and an apply of the same decision end differently; failing to decide does not.
    outcome: report.outcome.kind === 'Planned' || report.outcome.kind === 'Applied' ? 'decided' : report.outcome.kind,
  };
}

async function reconcile(source: GitSource, cache: ArtifactCache, stateDir: string, mode: 'plan' | 'apply'): Promise<ReconcileReport> {
  const loaded = await source.load(await source.fetch());
  const runner = createEnvironmentRunner({
    load: async () => loaded,
    openDriver: (environment) => openDriver(environment.manifest, { stateDir }),
    trigger: 'automatic',
    holder: 'test',
    leaseTtlMs: 60_000,
    artifactCache: cache,
  });
  return (await runner.reconcile('dev', mode)).report;
}

/** The repository every history starts from, committed and pushed, and where each integration's manifest is in it. */
function startingPoint(): { repo: Repo; model: Model } {
  const repo = makeRepo('intctl-incremental-start-');
  const model: Model = { files: new Map() };
  repo.write('environments/dev.yaml', ENVIRONMENT);
  repo.write('connections/sap.yaml', connection());
  repo.write(SPECS.sales.path, spec('sales-v2.edmx'));
  repo.write(SPECS.crm.path, spec('crm-v4.edmx'));
  for (const n of ['alpha', 'beta']) applyChange(repo, model, { op: 'put', name: n, spec: 'sales', operations: ['Get'] });
  repo.commit('start');
  return { repo, model };
}

/** A model of its own for one history: the changes move and rename its entries. */
function copyModel(model: Model): Model {
  return { files: new Map([...model.files].map(([n, entry]) => [n, { ...entry }])) };
}

describe('an incremental reconcile', () => {
  // Built once; each history starts from a copy of it.
  let start: { repo: Repo; model: Model };
  beforeAll(() => {
    start = startingPoint();
  });
  afterAll(() => start.repo.cleanup());

  it('plans what a cold reconcile of the same commit plans, after any history of commits', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(history, async (commits) => {
        const repo = makeRepo('intctl-incremental-cold-', start.repo);
        const source = createGitSource({ url: repo.remote, branch: 'main', dir: join(repo.root, 'mirror') });
        try {
          const model = copyModel(start.model);
          const cache = createArtifactCache(1000);
          const stateDir = join(repo.root, 'state');
          expect((await reconcile(source, cache, stateDir, 'apply')).outcome.kind).toBe('Applied');

          for (const [index, changes] of commits.entries()) {
            const files = new Map<string, string | undefined>();
            for (const c of changes) applyChange({ write: (path, text) => void files.set(path, text), remove: (path) => void files.set(path, undefined) }, model, c);
            commitToRemote(repo.remote, files, `commit ${index}`);
            // The environment as it is now, copied for the cold reconcile to read afresh.
            const coldDir = join(repo.root, `cold-${index}`);
            mkdirSync(join(coldDir, 'environments'), { recursive: true });
            const store = new Database(embeddedStorePath({ apiVersion: 'intctl.dev/v1alpha1', kind: 'Environment', metadata: { name: 'dev' }, spec: { driver: 'embedded' } }, stateDir));
            store.prepare('VACUUM INTO ?').run(join(coldDir, 'environments', 'dev.db'));
            store.close();
            const coldSource = createGitSource({ url: repo.remote, branch: 'main', dir: join(repo.root, `cold-mirror-${index}`) });
            let cold: ReconcileReport;
            try {
              cold = await reconcile(coldSource, createArtifactCache(1000), coldDir, 'plan');
            } finally {
              await coldSource.close();
            }
            const warm = await reconcile(source, cache, stateDir, 'apply');
            expect(decision(warm), `commit ${index} of ${JSON.stringify(commits)}`).toEqual(decision(cold));
          }
          runs++;
        } finally {
          await source.close();
          repo.cleanup();
        }
      }),
      { numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
  });
});
