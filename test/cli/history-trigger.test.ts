import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { commitAll, createFixtureRepo, crmConnection } from '../runtime/support/fixture-repo.ts';
import { crmIntegration } from '../support/crm.ts';
import { git } from '../support/git-repo.ts';
import { toYaml } from '../support/manifests.ts';
import { until } from '../support/time.ts';

/*
 * intctl history names the trigger that started each of the controller's applies: a real
 * controller process over the fixture repository (dev, then test promoting from it). After the
 * start has applied, a commit changes dev's connection; the trigger under test (and nothing else)
 * makes the controller apply it. Polling and the file watcher apply a commit of their own accord,
 * so each has a controller of its own; the triggers that only act when asked (the generic
 * webhook, the promotion it leads to, the controller API) share one with neither.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
const TOKEN = 'generic-webhook-token-for-tests-0123456789';
const API_TOKEN = 'controller-api-token-for-tests-0123456789';

interface Running {
  work: string;
  url: string;
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A controller on the fixture repository with `config` added to its configuration; resolves once it has reconciled dev at the start. `keep` is given it as soon as it runs, to stop it whatever happens next. */
async function startController(keep: (controller: Running) => void, config: string, files: Record<string, string> = {}): Promise<Running> {
  const work = await mkdtemp(join(tmpdir(), 'intctl-history-trigger-'));
  await createFixtureRepo(join(work, 'repo'));
  await writeFile(join(work, 'token'), `${TOKEN}\n`);
  for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), `${text}\n`);
  await writeFile(join(work, 'controller.yaml'), `git: { url: repo }\nlisten: { host: 127.0.0.1, port: 0 }\nstateDir: state\nwebhook: { genericTokenFile: token }\n${config}`);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'controller', '--config', 'controller.yaml'], { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'inherit'] });
  const logs: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => logs.push(JSON.parse(text) as Record<string, unknown>));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(work, { recursive: true, force: true });
  };
  const running: Running = { work, url: '', logs, stop };
  keep(running);
  const explain = () => logs.slice(-20).map((l) => JSON.stringify(l)).join('\n');
  running.url = String((await until('the controller to listen', () => logs.find((l) => l.msg === 'listening'), { explain })).url);
  // The start's reconcile of dev has applied and written its status: the change below comes after it.
  await statusAfterReconcile(running, 'the status of dev after the start', 'dev', () => lastAppliedOf(work));
  return running;
}

/**
 * Waits for `probe` of the status branch, which the controller writes right after it logs a
 * reconcile of the environment (at `commit`, when given) finished: Git is read only from then on,
 * not all the while the controller starts and reconciles.
 */
async function statusAfterReconcile<T>(controller: Running, what: string, environment: string, probe: () => T | undefined | false, commit?: string): Promise<T> {
  const explain = () => controller.logs.slice(-20).map((l) => JSON.stringify(l)).join('\n');
  const finished = (l: Record<string, unknown>) => l.msg === 'reconcile finished' && l.environment === environment && (commit === undefined || l.commit === commit);
  await until(`${what}: a reconcile of ${environment} finished`, () => controller.logs.some(finished), { explain });
  return until(what, probe, { explain, everyMs: 100 });
}

/** `lastApplied` of status/<environment>.yaml on the status branch the controller pushes to the repository, once there is one. */
function lastAppliedOf(work: string, environment = 'dev'): { commit: string; trigger?: { kind: string; detail?: string } } | undefined {
  try {
    return (parse(git(join(work, 'repo'), 'show', `intctl/status:status/${environment}.yaml`)) as { lastApplied?: { commit: string; trigger?: { kind: string; detail?: string } } }).lastApplied;
  } catch {
    return undefined;
  }
}

/** Commits a new API key for dev's connection (`key`, one it has not had yet): dev has something to apply. */
async function changeDev(work: string, key = 'another-dev-only-key'): Promise<string> {
  await writeFile(join(work, 'repo', 'connections', 'crm.yaml'), toYaml(crmConnection({ dev: { plain: key }, test: { env: 'CRM_API_KEY' } })));
  return commitAll(join(work, 'repo'), 'a new key for dev');
}

/** Waits until the controller has applied `commit` to the environment, then reads intctl history as JSON and as a table. */
async function historyAfter(controller: Running, commit: string, environment = 'dev') {
  await statusAfterReconcile(controller, `${environment} applied at ${commit}`, environment, () => lastAppliedOf(controller.work, environment)?.commit === commit, commit);
  const json = await runCli(['history', '--env', environment, '--repo', 'repo', '--state-dir', 'state', '-o', 'json'], controller.work);
  expect(json.code).toBe(0);
  const table = await runCli(['history', '--env', environment, '--repo', 'repo', '--state-dir', 'state'], controller.work);
  return { history: JSON.parse(json.stdout) as { applies: Array<{ commit: string; trigger: string; triggerDetail?: string }> }, table: table.stdout };
}

describe('intctl history names the trigger of each apply', () => {
  // One controller for the tests of this block, in order: the first sees the start's apply just before its own.
  describe('when asked: one controller, neither polling nor watching', () => {
    let controller: Running;
    let started: Running | undefined;
    beforeAll(async () => {
      controller = await startController((c) => (started = c), `poll: { schedule: off }\napi: { tokenFile: api-token }\n`, { 'api-token': API_TOKEN });
    });
    afterAll(async () => {
      await started?.stop();
    });

    it('the generic webhook, after the start', async () => {
      const commit = await changeDev(controller.work);
      const response = await fetch(`${controller.url}/webhooks/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ environments: ['dev'] }),
      });
      expect(response.status).toBe(202);
      const { history, table } = await historyAfter(controller, commit);
      expect(history.applies.map((a) => [a.trigger, a.triggerDetail])).toEqual([
        ['webhook', 'generic webhook'],
        ['startup', undefined],
      ]);
      expect(history.applies[0]!.commit).toBe(commit);
      expect(table).toMatch(new RegExp(`\\n {2}APPLIED +COMMIT +TRIGGER +ACTIONS\\n {2}\\S+ +${commit.slice(0, 7)} +webhook +1: UpsertConnection crm-api\\n {2}\\S+ +[0-9a-f]{7} +startup +7: `));
    });

    it('a promotion: test applies once dev, which it promotes from, has applied the same commit', async () => {
      await statusAfterReconcile(controller, 'the status of test after the start', 'test', () => lastAppliedOf(controller.work, 'test'));
      await writeFile(join(controller.work, 'repo', 'integrations', 'crm.yaml'), toYaml(crmIntegration({ environments: ['dev', 'test'], operations: ['Get', 'Search'] })));
      const commit = await commitAll(join(controller.work, 'repo'), 'crm without Count');
      // Only dev is asked for: test is reconciled because dev applied.
      const response = await fetch(`${controller.url}/webhooks/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ environments: ['dev'] }),
      });
      expect(response.status).toBe(202);
      expect((await historyAfter(controller, commit, 'dev')).history.applies[0]).toMatchObject({ commit, trigger: 'webhook' });
      const { history, table } = await historyAfter(controller, commit, 'test');
      expect(history.applies[0]).toMatchObject({ commit, trigger: 'promotion', triggerDetail: 'promotion from dev' });
      expect(table).toMatch(new RegExp(`\\n {2}\\S+ +${commit.slice(0, 7)} +promotion +1: Publish crm\\n`));
    });

    it('"reconcile now" through the controller API', async () => {
      const commit = await changeDev(controller.work, 'a-dev-only-key-for-the-api');
      const response = await fetch(`${controller.url}/api/v1/environments/dev/reconcile`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(response.status).toBe(202);
      const { history, table } = await historyAfter(controller, commit);
      expect(history.applies[0]).toMatchObject({ commit, trigger: 'api', triggerDetail: 'reconcile now (API)' });
      expect(table).toMatch(new RegExp(`\\n {2}\\S+ +${commit.slice(0, 7)} +api +1: UpsertConnection crm-api\\n`));
    });
  });

  describe('of its own accord: a controller each', () => {
    let running: Running | undefined;
    afterEach(async () => {
      await running?.stop();
      running = undefined;
    });
    const keep = (controller: Running) => (running = controller);

    it('polling', async () => {
      const controller = await startController(keep, 'poll: { schedule: "* * * * * *", jitterMs: 0 }\n');
      const commit = await changeDev(controller.work);
      const { history, table } = await historyAfter(controller, commit);
      expect(history.applies[0]).toMatchObject({ commit, trigger: 'poll' });
      expect(history.applies[0]).not.toHaveProperty('triggerDetail');
      expect(table).toMatch(new RegExp(`\\n {2}\\S+ +${commit.slice(0, 7)} +poll +1: UpsertConnection crm-api\\n`));
    });

    it('the file watcher', async () => {
      const controller = await startController(keep, 'poll: { schedule: off }\nwatch: { dir: repo, debounceMs: 50 }\n');
      const commit = await changeDev(controller.work);
      const { history, table } = await historyAfter(controller, commit);
      expect(history.applies[0]).toMatchObject({ commit, trigger: 'watch' });
      expect(table).toMatch(new RegExp(`\\n {2}\\S+ +${commit.slice(0, 7)} +watch +1: UpsertConnection crm-api\\n`));
    });
  });
});
