import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { EnvironmentStatus } from '../../controller/core/environment-status.ts';
import { commitAll, createFixtureRepo } from './support/fixture-repo.ts';
import { controllerHarness } from './support/harness.ts';
import { localGitSource, recordingStatusWriter } from './support/local-git-source.ts';

let work: string;
let repo: string;
let stateDir: string;
let first: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-controller-'));
  repo = join(work, 'repo');
  stateDir = join(work, 'state');
  first = await createFixtureRepo(repo);
});
afterEach(async () => rm(work, { recursive: true, force: true }));

function condition(status: EnvironmentStatus | undefined, type: string) {
  const found = status?.conditions.find((c) => c.type === type);
  return found ? { status: found.status, reason: found.reason } : undefined;
}

function byName(statuses: EnvironmentStatus[]): Record<string, EnvironmentStatus> {
  return Object.fromEntries(statuses.map((s) => [s.environment, s]));
}

async function actionLog(environment: string) {
  const driver = await openEmbeddedEnvironment(join(stateDir, `${environment}.sqlite`), { name: environment, create: false });
  try {
    return await driver.actionLog();
  } finally {
    await driver.close();
  }
}

describe('the reconcile loop', () => {
  it('finds the environments, applies dev, then test once dev is Ready at the same commit, and writes each status', async () => {
    const writer = recordingStatusWriter();
    const { controller, clock } = controllerHarness({ source: localGitSource(repo), stateDir, statusWriter: writer });
    expect(controller.enqueueAll('start')).toEqual(['Source/branch']);
    await controller.queue.idle();

    const status = byName(controller.statuses());
    expect(Object.keys(status)).toEqual(['dev', 'test']);
    for (const name of ['dev', 'test']) {
      expect(condition(status[name], 'Ready')).toEqual({ status: 'True', reason: 'ReconciliationSucceeded' });
      expect(status[name]!.observedCommit).toBe(first);
      expect(status[name]!.published.map((p) => [p.integration, p.commit])).toEqual([['crm', first]]);
    }
    expect((await actionLog('test')).every((entry) => entry.commit === first)).toBe(true);
    // test may have been tried before dev was Ready; it was run again when dev became Ready, so no retry is left.
    expect(clock.delays()).toEqual([]);

    const lastOf = (name: string) => writer.documents.filter((d) => d.environment === name).at(-1)!;
    expect(lastOf('dev')).toMatchObject({ environment: 'dev', observedCommit: first, published: [{ integration: 'crm', commit: first }] });
    expect(lastOf('dev').lastApplied?.actions).toContain('Publish crm (New)');
    expect(lastOf('dev').conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', observedCommit: first });
  });

  it('writes no status commit when a reconcile changes nothing', async () => {
    const writer = recordingStatusWriter();
    const { controller } = controllerHarness({ source: localGitSource(repo), stateDir, statusWriter: writer });
    controller.enqueueAll('start');
    await controller.queue.idle();
    controller.enqueueAll('poll');
    await controller.queue.idle();
    const before = writer.documents.length;
    expect(controller.enqueueAll('poll')).toEqual(['dev', 'test']);
    await controller.queue.idle();
    expect(writer.documents.length).toBe(before);
    expect(condition(byName(controller.statuses()).dev, 'Ready')).toEqual({ status: 'True', reason: 'ReconciliationSucceeded' });
  });

  it('applies nothing from invalid manifests, says ValidationFailed, and does not retry', async () => {
    const { controller, clock, metrics } = controllerHarness({ source: localGitSource(repo), stateDir });
    controller.enqueueAll('start');
    await controller.queue.idle();
    const applied = (await actionLog('dev')).length;

    const file = join(repo, 'integrations', 'crm.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('connection: crm-api', 'connection: crm-api\n  colour: blue'));
    const broken = await commitAll(repo, 'a field that does not exist');
    controller.enqueueAll('push');
    await controller.queue.idle();

    const dev = byName(controller.statuses()).dev;
    expect(condition(dev, 'Ready')).toEqual({ status: 'False', reason: 'ValidationFailed' });
    expect(condition(dev, 'Stalled')).toEqual({ status: 'True', reason: 'ValidationFailed' });
    expect(dev!.observedCommit).toBe(broken);
    expect(dev!.published.map((p) => p.commit)).toEqual([first]);
    expect((await actionLog('dev')).length).toBe(applied);
    expect(clock.delays()).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('intctl_reconcile_errors_total')).toMatch(/intctl_reconcile_errors_total\{reason="ValidationFailed"\} 2/);
  });

  it('keeps the last good state when the fetch fails, says GitFetchFailed, and retries with backoff until it works', async () => {
    const { controller, clock } = controllerHarness({ source: localGitSource(repo), stateDir });
    controller.enqueueAll('start');
    await controller.queue.idle();
    await rename(repo, `${repo}-away`);

    controller.enqueueAll('poll');
    await controller.queue.idle();
    const dev = byName(controller.statuses()).dev;
    expect(condition(dev, 'Ready')).toEqual({ status: 'False', reason: 'GitFetchFailed' });
    expect(condition(dev, 'Reconciling')).toEqual({ status: 'True', reason: 'GitFetchFailed' });
    expect(dev!.observedCommit).toBe(first);
    expect(dev!.published.map((p) => p.integration)).toEqual(['crm']);
    expect(clock.delays()).toEqual([1000, 1000]);
    expect(controller.readiness()).toEqual({ ready: true });

    clock.fireAll();
    await controller.queue.idle();
    expect(clock.delays()).toEqual([2000, 2000]);

    await rename(`${repo}-away`, repo);
    clock.fireAll();
    await controller.queue.idle();
    expect(condition(byName(controller.statuses()).dev, 'Ready')).toEqual({ status: 'True', reason: 'ReconciliationSucceeded' });
    expect(clock.delays()).toEqual([]);
  });

  it("waits for another controller's lease, and retries after about a lease", async () => {
    const { controller, clock } = controllerHarness({ source: localGitSource(repo), stateDir, concurrency: 1 });
    const other = await openEmbeddedEnvironment(join(stateDir, 'dev.sqlite'), { name: 'dev' });
    const lease = await other.acquireLease('another-replica', 30_000);
    expect(lease).toBeDefined();
    controller.enqueueAll('start');
    await controller.queue.idle();
    const status = byName(controller.statuses());
    expect(condition(status.dev, 'Ready')).toEqual({ status: 'Unknown', reason: 'LeaseHeld' });
    expect(condition(status.test, 'Ready')).toEqual({ status: 'False', reason: 'AwaitingPromotion' });
    expect(clock.delays().sort()).toEqual([30_000, 60_000]);

    await other.releaseLease(lease!);
    await other.close();
    clock.fireAll();
    await controller.queue.idle();
    const after = byName(controller.statuses());
    expect(condition(after.dev, 'Ready')).toEqual({ status: 'True', reason: 'ReconciliationSucceeded' });
    expect(condition(after.test, 'Ready')).toEqual({ status: 'True', reason: 'ReconciliationSucceeded' });
  });

  it('logs each reconcile on a child logger naming the environment, the commit and the reconcile', async () => {
    const { controller, logs } = controllerHarness({ source: localGitSource(repo), stateDir });
    controller.enqueueAll('start');
    await controller.queue.idle();
    const finished = logs.lines().filter((l) => l.msg === 'reconcile finished');
    expect(finished.map((l) => l.environment).sort()).toContain('dev');
    for (const line of finished) {
      expect(line).toMatchObject({ commit: first, outcome: expect.any(String), reconcileId: expect.any(String) });
    }
    const ids = new Set(finished.map((l) => l.reconcileId));
    expect(ids.size).toBe(finished.length);
    const devId = finished.find((l) => l.environment === 'dev')!.reconcileId;
    const actions = logs.lines().filter((l) => l.msg === 'action applied' && l.reconcileId === devId);
    expect(actions.map((l) => [l.action, l.target])).toContainEqual(['Publish', 'crm']);
    expect(actions.every((l) => l.environment === 'dev' && l.commit === first)).toBe(true);
  });

  it('on stop lets the reconciles in flight finish their apply and release the lease, and takes no more work', async () => {
    const { controller } = controllerHarness({ source: localGitSource(repo), stateDir });
    controller.enqueueAll('start');
    await controller.queue.idle();
    const file = join(repo, 'connections', 'crm.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('https://sandbox.crm.example.com/v2\n      apiKey: { plain', 'https://sandbox-2.crm.example.com/v2\n      apiKey: { plain'));
    const second = await commitAll(repo, 'dev moves to another sandbox');

    expect(controller.enqueueAll('push')).toEqual(['dev', 'test']);
    // Both reconciles have started (a key starts as it is added); stop while they run.
    await controller.stop();
    expect(controller.enqueueAll('late push')).toEqual([]);

    const dev = byName(controller.statuses()).dev;
    expect(dev).toMatchObject({ observedCommit: second, outcome: 'Applied' });
    expect((await actionLog('dev')).filter((a) => a.commit === second).map((a) => `${a.type} ${a.target}`)).toEqual(['UpsertConnection crm-api']);
    const environment = await openEmbeddedEnvironment(join(stateDir, 'dev.sqlite'), { name: 'dev', create: false });
    try {
      expect(await environment.acquireLease('another-controller', 1000)).toMatchObject({ holder: 'another-controller' });
    } finally {
      await environment.close();
    }
  });

  it('forgets an environment removed from the repository', async () => {
    const { controller, metrics } = controllerHarness({ source: localGitSource(repo), stateDir });
    controller.enqueueAll('start');
    await controller.queue.idle();
    const edit = async (path: string, from: string, to: string) => {
      const text = await readFile(join(repo, path), 'utf8');
      expect(text).toContain(from);
      await writeFile(join(repo, path), text.replace(from, to));
    };
    const environments = await readFile(join(repo, 'environments.yaml'), 'utf8');
    await edit('environments.yaml', environments.slice(environments.indexOf('---')), '');
    await edit('integrations/crm.yaml', 'environments: [dev, test]', 'environments: [dev]');
    await edit('connections/crm.yaml', '    test:\n      endpoint: https://sandbox.crm.example.com/v2\n      apiKey: { env: CRM_API_KEY }\n', '');
    await commitAll(repo, 'no more test');

    controller.enqueueAll('push');
    await controller.queue.idle();
    expect(controller.statuses().map((s) => s.environment)).toEqual(['dev']);
    expect(controller.enqueueAll('poll')).toEqual(['dev']);
    await controller.queue.idle();
    expect(await metrics.registry.getSingleMetricAsString('intctl_last_successful_reconcile_timestamp_seconds')).not.toContain('environment="test"');
  });
});
