import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createFixtureRepo } from '../runtime/support/fixture-repo.ts';
import { environment, PINS, toYaml } from '../support/manifests.ts';

/*
 * intctl reconcile and intctl status --server against a real controller process: the fixture
 * repository (dev, then test promoting from it), polling off, so that nothing reconciles but
 * what the start and the tests ask for; its API token (not the generic webhook's) is needed to
 * reconcile and, with api.readAccess token, to read.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'intctl.js');
const TOKEN = 'controller-api-token-for-tests-0123456789';
const WEBHOOK_TOKEN = 'generic-webhook-token-for-tests-0123456789';
let work: string;
let controller: ChildProcess;
let url: string;
const logs: Array<Record<string, unknown>> = [];
const listeners: Array<() => void> = [];

/** Resolves once the controller has written a line the test accepts. */
function logged(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const check = () => {
      const found = logs.find(test);
      if (found) resolve(found);
    };
    listeners.push(check);
    check();
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-reconcile-'));
  // prod needs an approval no one gives: its reconcile waits, and ends not applied.
  const prod = environment({ name: 'prod', path: 'prod.sqlite', policy: { autoApply: true, requiredApprovals: 1, allowBreaking: false, prune: false, selfHeal: false, plainSecrets: false }, dependencies: PINS });
  await createFixtureRepo(join(work, 'repo'), { files: { 'prod.yaml': toYaml(prod) } });
  await writeFile(join(work, 'token'), `${TOKEN}\n`);
  await writeFile(join(work, 'webhook-token'), `${WEBHOOK_TOKEN}\n`);
  await writeFile(join(work, 'wrong-token'), 'not-the-token-at-all-0123456789\n');
  await writeFile(join(work, 'controller.yaml'), 'git: { url: repo }\nlisten: { host: 127.0.0.1, port: 0 }\npoll: { schedule: off }\nstateDir: state\nwebhook: { genericTokenFile: webhook-token }\napi: { tokenFile: token, readAccess: token }\n');
  controller = spawn(process.execPath, [BIN, 'controller', '--config', 'controller.yaml'], { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: controller.stdout! }).on('line', (text) => {
    logs.push(JSON.parse(text) as Record<string, unknown>);
    for (const listener of listeners) listener();
  });
  url = String((await logged((l) => l.msg === 'listening')).url);
  // The reconciles the start queues have ended: what the tests ask for comes after them.
  for (const name of ['dev', 'test', 'prod']) await logged((l) => l.msg === 'reconcile finished' && l.environment === name);
}, 120_000);
afterAll(async () => {
  const exited = new Promise((resolve) => controller.on('exit', resolve));
  controller.kill('SIGTERM');
  await exited;
  await rm(work, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, work);
/** intctl status --server of this controller, whose reads need the API token too (api.readAccess: token). */
const status = (...args: string[]) => cli('status', '--server', url, '--token-file', 'token', ...args);

describe('intctl reconcile against a running controller', () => {
  it('requests a reconcile through the API with the API token and, with --wait, exits 0 once it has applied', async () => {
    const run = await cli('reconcile', '--env', 'dev', '--server', url, '--token-file', 'token', '--wait', '--timeout', '2m');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^dev: Applied \(ReconciliationSucceeded: (in step with Git|applied \d+ actions?)\) at [0-9a-f]{7}\n$/);
    expect(run.code).toBe(0);
    const requests = logs.filter((l) => l.msg === 'reconcile now, asked through the API');
    expect(requests.at(-1)).toMatchObject({ environment: 'dev', enqueued: ['dev'] });
  });

  it('exits 1 with the outcome when the reconcile does not apply, as intctl apply does', async () => {
    const run = await cli('reconcile', '--env', 'prod', '--server', url, '--token-file', 'token', '--wait', '-o', 'yaml');
    expect(run.code).toBe(1);
    const answer = parse(run.stdout);
    expect(answer).toMatchObject({ environment: 'prod', requested: true, status: { name: 'prod', outcome: 'Waiting' } });
    expect(answer.status.conditions).toContainEqual(expect.objectContaining({ type: 'AwaitingApproval', status: 'True' }));
  });

  it('without --wait, only asks; a wrong token is refused (exit 1) without showing it; an unknown environment is exit 64', async () => {
    expect(await cli('reconcile', '--env', 'dev', '--server', url, '--token-file', 'token')).toEqual({ code: 0, stdout: `reconcile of dev requested from ${url}\n`, stderr: '' });
    const wrong = await cli('reconcile', '--env', 'dev', '--server', url, '--token-file', 'wrong-token');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`intctl: the controller at ${url}/api/v1/environments/dev/reconcile answered 401: the token from --token-file wrong-token was refused\n`);
    // The generic webhook's token is not the API's: it is refused too.
    const webhook = await cli('reconcile', '--env', 'dev', '--server', url, '--token-file', 'webhook-token');
    expect([webhook.code, webhook.stderr]).toEqual([1, `intctl: the controller at ${url}/api/v1/environments/dev/reconcile answered 401: the token from --token-file webhook-token was refused\n`]);
    const unknown = await cli('reconcile', '--env', 'qa', '--server', url, '--token-file', 'token');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain(`intctl: environment qa is not known to the controller at ${url}`);
    const none = await cli('reconcile', '--env', 'dev', '--server', url);
    expect([none.code, none.stderr.split('\n')[0]]).toEqual([64, "intctl: the controller's API token (its api.tokenFile) is needed: give --token-file <path>, or set INTCTL_TOKEN"]);
  });

  it('takes the token from INTCTL_TOKEN when no file is given, and names a token file it cannot read (exit 64)', async () => {
    vi.stubEnv('INTCTL_TOKEN', TOKEN);
    try {
      expect((await cli('reconcile', '--env', 'dev', '--server', url)).code).toBe(0);
      vi.stubEnv('INTCTL_TOKEN', 'not-the-token-at-all-0123456789');
      expect((await cli('reconcile', '--env', 'dev', '--server', url)).stderr).toBe(`intctl: the controller at ${url}/api/v1/environments/dev/reconcile answered 401: the token from INTCTL_TOKEN was refused\n`);
    } finally {
      vi.unstubAllEnvs();
    }
    const missing = await cli('reconcile', '--env', 'dev', '--server', url, '--token-file', 'no-such-file');
    expect([missing.code, missing.stderr.split('\n').slice(0, 2)]).toEqual([64, ['intctl: invalid controller configuration:', '  - --token-file no-such-file: cannot be read (ENOENT)']]);
  });

  it('--wait gives up after --timeout with exit 1 when no reconcile ends, saying it stays queued', async () => {
    // A controller that queues the request and never gets to it: its status stays as it was.
    const stuck = createHttpServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST' && request.url === '/api/v1/environments/dev/reconcile') response.writeHead(202).end(JSON.stringify({ result: 'accepted', enqueued: ['dev'] }));
      else if (request.method === 'POST') response.writeHead(404).end(JSON.stringify({ error: 'Not Found', message: `no route ${request.url}` }));
      else if (request.url === '/api/v1/status') response.writeHead(200).end(JSON.stringify({ environments: [{ name: 'dev', conditions: [], outcome: 'Applied', lastReconcileTime: '2026-01-01T00:00:00.000Z', published: [] }] }));
      else response.writeHead(404).end(JSON.stringify({ error: 'Not Found', message: `no route ${request.url}` }));
    });
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${(stuck.address() as AddressInfo).port}`;
      const run = await cli('reconcile', '--env', 'dev', '--server', at, '--token-file', 'token', '--wait', '--timeout', '300ms');
      expect(run).toEqual({ code: 1, stdout: '', stderr: 'intctl: dev: no reconcile ended within 300ms of the request; it stays queued at the controller\n' });
      // A controller without GET /api/v1/overview: intctl status shows its statuses alone, no head.
      const shown = await cli('status', '--server', at, '-o', 'json');
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toEqual({ source: 'controller', from: at, environments: [{ name: 'dev', suspended: false, conditions: [], outcome: 'Applied', lastReconcileTime: '2026-01-01T00:00:00.000Z' }] });
    } finally {
      await new Promise((resolve) => stuck.close(resolve));
    }
  });

  it('names the controller it cannot reach', async () => {
    // A port nothing listens on: taken, then given back.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const run = await cli('reconcile', '--env', 'dev', '--server', `http://127.0.0.1:${port}`, '--token-file', 'token');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`intctl: cannot reach the controller at http://127.0.0.1:${port}/api/v1/environments/dev/reconcile: ECONNREFUSED\n`);
  });
});

describe('intctl status --server', () => {
  it("shows the controller's status of every environment, the same as JSON and as YAML", async () => {
    const json = await status('-o', 'json');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({ source: 'controller', from: url });
    // The head of the tracked branch and what each promotes from come from GET /api/v1/overview.
    const overview = (await (await fetch(`${url}/api/v1/overview`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { head: string; environments: Array<{ name: string }> };
    expect(view.head).toMatch(/^[0-9a-f]{40}$/);
    expect(view.head).toBe(overview.head);
    const order = view.environments.map((e: { name: string }) => e.name);
    expect([...order].sort()).toEqual(['dev', 'prod', 'test']);
    expect(order).toEqual(overview.environments.map((e) => e.name));
    expect(order.indexOf('test')).toBeGreaterThan(order.indexOf('dev'));
    expect(view.environments.find((e: { name: string }) => e.name === 'test')).toMatchObject({ promotesFrom: 'dev' });
    const dev = view.environments.find((e: { name: string }) => e.name === 'dev');
    expect(dev).toMatchObject({ outcome: 'Applied', suspended: false, observedCommit: view.head, conditions: [expect.objectContaining({ type: 'Ready', status: 'True' })] });
    expect(parse((await status('-o', 'yaml')).stdout)).toEqual(view);

    const table = await status();
    expect(table.stdout.split('\n')[0]).toBe(`Controller ${url} at ${view.head.slice(0, 7)}`);
    expect(table.stdout).toMatch(/\ndev +- +True +ReconciliationSucceeded +[0-9a-f]{7} +- +reconciled \d{4}-/);
    expect(table.stdout).toMatch(/\ntest +dev +/);
  });

  it('sends the API token when the controller wants it for reads too, and says so when none is given (exit 1)', async () => {
    // With readAccess token, every read of the API needs the token, the statuses as the overview.
    const none = await cli('status', '--server', url);
    expect(none).toEqual({ code: 1, stdout: '', stderr: `intctl: the controller at ${url}/api/v1/status answered 401: no token was given (--token-file or INTCTL_TOKEN, the controller's API token)\n` });
    vi.stubEnv('INTCTL_TOKEN', TOKEN);
    try {
      expect((await cli('status', '--server', url)).code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('intctl history', () => {
  it("shows the controller's applies to an environment and its status commits, read from the status branch it pushed", async () => {
    const run = await cli('history', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '-o', 'json');
    expect(run.code).toBe(0);
    const history = JSON.parse(run.stdout);
    expect(history.notes).toEqual([]);
    expect(history.statusBranch).toMatchObject({ branch: 'intctl/status', ref: 'intctl/status' });
    expect(history.statusBranch.commits[0]).toMatchObject({ ready: { status: 'True', reason: 'ReconciliationSucceeded' } });
    const first = history.applies.at(-1);
    expect(first).toMatchObject({ trigger: 'startup', commit: history.statusBranch.commits.at(-1).observedCommit });
    expect(first.actions.map((a: { type: string; target: string }) => `${a.type} ${a.target}`)).toContain('Publish crm');
    // Nothing of a connection, not even its fingerprint.
    expect(first.actions.find((a: { type: string }) => a.type === 'UpsertConnection')).not.toHaveProperty('result');
    expect(parse((await cli('history', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '-o', 'yaml')).stdout)).toEqual(history);

    const table = await cli('history', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state');
    expect(table.stdout).toMatch(/^Applied to dev \(action log\), newest first:\n {2}APPLIED +COMMIT +TRIGGER +ACTIONS\n {2}\S+ +[0-9a-f]{7} +startup +7: UpdateDependency integration-utils, /);
    expect(table.stdout).toMatch(/\nStatus of dev \(intctl\/status\), newest first:\n {2}TIME +STATUS COMMIT +OBSERVED +READY +REASON\n/);
  });
});
