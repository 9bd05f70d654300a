import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../controller/demo/run-demo.ts';
import { runCli } from '../helpers/cli.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
let work: string;
let repo: string;
let state: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-cli-'));
  repo = join(work, 'repo');
  state = join(work, 'state');
  await cp(EXAMPLES, repo, { recursive: true });
});
afterEach(async () => rm(work, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--state-dir', state]);

async function edit(path: string, from: string | RegExp, to: string): Promise<void> {
  const file = join(repo, path);
  const text = await readFile(file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  await writeFile(file, next);
}

describe('intctl plan and apply', () => {
  it('plans a new environment (exit 2), applies it with a line per action, and then has nothing to do (exit 0)', async () => {
    const planned = await cli('plan', '--repo', repo, '--env', 'dev');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toMatch(/Plan for environment dev at working-tree: 17 actions\./);
    expect(planned.stdout).toMatch(/update dependency\s+integration-utils\s+pinned\s+not installed -> 3\.0\.0/);
    expect(planned.stdout).toMatch(/publish\s+sales-orders\s+new\s+sha256:/);

    const applied = await cli('apply', '--repo', repo, '--env', 'dev');
    expect(applied.stdout).toContain('[1/17] update dependency integration-utils (pinned): done');
    expect(applied.stdout).toContain('[17/17] publish sales-orders (new): done');
    expect(applied.stdout).toContain('Applied 17 actions to dev.');
    expect(applied.code).toBe(0);

    const again = await cli('plan', '--repo', repo, '--env', 'dev');
    expect(again.stdout).toBe('Plan for environment dev at working-tree: nothing to do.\n');
    expect(again.code).toBe(0);

    const got = await cli('get', 'integrations', '--repo', repo, '--env', 'dev', '-o', 'json');
    expect(JSON.parse(got.stdout).map((r: { name: string }) => r.name)).toEqual(['crm', 'dataverse-accounts', 'order-history', 'product-catalog', 'sales-orders']);
    const deps = await cli('get', 'dependencies', '--repo', repo, '--env', 'dev');
    expect(deps.stdout).toMatch(/integration-utils\s+3\.0\.0\s+3\.0\.0/);
  });

  it('prints the plan as JSON for machines', async () => {
    const run = await cli('plan', '--repo', repo, '--env', 'dev', '-o', 'json');
    const report = JSON.parse(run.stdout);
    expect(report.outcome).toEqual({ kind: 'Planned', pending: 17, drifted: [] });
    expect(report.plan.actions.map((a: { type: string }) => a.type)).toEqual([
      ...Array(5).fill('UpdateDependency'),
      ...Array(7).fill('UpsertConnection'),
      ...Array(5).fill('Publish'),
    ]);
    expect(run.code).toBe(2);
  });

  it('holds prod until test is Ready at the commit, then until it has two approvals', async () => {
    const plannedEarly = await cli('plan', '--repo', repo, '--env', 'prod');
    expect(plannedEarly.stdout).toContain('Gate: applying waits (AwaitingPromotion): waits until environment test is Ready at the same commit');
    const early = await cli('apply', '--repo', repo, '--env', 'prod');
    expect(early.stdout).toContain('Not applied (AwaitingPromotion): waits until environment test is Ready at the same commit');
    expect(early.code).toBe(1);

    expect((await cli('apply', '--repo', repo, '--env', 'dev')).code).toBe(0);
    expect((await cli('apply', '--repo', repo, '--env', 'test')).code).toBe(0);
    const waiting = await cli('apply', '--repo', repo, '--env', 'prod');
    expect(waiting.stdout).toContain('Not applied (AwaitingApproval): needs 2 approving reviews from maria-schmidt, jokafor, lchen-sre; has 0');
    expect(waiting.code).toBe(1);

    // The plan says what the gate will say, in words and in JSON, and still exits 2 for its changes.
    const planned = await cli('plan', '--repo', repo, '--env', 'prod');
    expect(planned.stdout).toContain('Gate: applying waits (AwaitingApproval): needs 2 approving reviews from maria-schmidt, jokafor, lchen-sre; has 0');
    expect(planned.code).toBe(2);
    const json = JSON.parse((await cli('plan', '--repo', repo, '--env', 'prod', '-o', 'json')).stdout);
    expect(json.outcome).toMatchObject({ kind: 'Planned' });
    expect(json.decision).toEqual({ allowed: false, reason: 'AwaitingApproval', message: 'needs 2 approving reviews from maria-schmidt, jokafor, lchen-sre; has 0' });
    expect((await cli('get', 'integrations', '--repo', repo, '--env', 'prod')).stdout).toBe('nothing here yet\n');
  });

  it('blocks a breaking change where policy refuses them, and changes nothing', async () => {
    await edit('environments/environments.yaml', /allowBreaking: true {13}# breaking interface changes are fine in dev/, 'allowBreaking: false');
    expect((await cli('apply', '--repo', repo, '--env', 'dev')).code).toBe(0);
    await edit('integrations/crm.yaml', 'operations: [Get, Search, Count, Create, Update, Delete]', 'operations: [Get, Search, Count, Create, Update]');

    const planned = await cli('plan', '--repo', repo, '--env', 'dev');
    expect(planned.stdout).toMatch(/publish\s+crm\s+changed\s+sha256:\w+, \d+ actions\s+BREAKING/);
    expect(planned.stdout).toContain('crm: action DeleteCustomer was removed');
    expect(planned.stdout).toContain('Blocked (BreakingChangeRefused): policy.allowBreaking is false');
    expect(planned.code).toBe(2);

    const before = (await cli('get', 'integrations', '--repo', repo, '--env', 'dev', '-o', 'json')).stdout;
    const applied = await cli('apply', '--repo', repo, '--env', 'dev');
    expect(applied.stdout).toContain('Not applied (BreakingChangeRefused).');
    expect(applied.code).toBe(1);
    expect((await cli('get', 'integrations', '--repo', repo, '--env', 'dev', '-o', 'json')).stdout).toBe(before);
  });

  it('applies nothing when the manifests do not validate', async () => {
    await edit('integrations/crm.yaml', 'connection: crm-api', 'connection: crm-apj');
    const run = await cli('apply', '--repo', repo, '--env', 'dev');
    expect(run.stdout).toMatch(/^integrations\/crm\.yaml:\d+:\d+: error: spec\.connection connection crm-apj does not exist/);
    expect(run.stderr).toContain('1 problem in the manifests; nothing applied (ValidationFailed)');
    expect(run.code).toBe(1);
    const got = await cli('get', 'integrations', '--repo', repo, '--env', 'dev');
    expect(got.stderr).toBe(`intctl: environment dev has no store at ${state}/dev.sqlite; run intctl env init dev\n`);
  });

  it.each([
    [['plan', '--env', 'staging'], 'environment staging is not defined in the repository (defined: dev, prod, test)', 'plan'],
    [['plan'], "required option '--env <name>' not specified", 'plan'],
    [['get', 'widgets', '--env', 'dev'], 'cannot get "widgets"; use one of integrations, connections, dependencies', 'get'],
  ])('exits 64 on a usage error, never 2 (which means changes): %j', async (args, message, command) => {
    const run = await cli(...args, '--repo', repo);
    expect(run).toEqual({ code: 64, stdout: '', stderr: `intctl: ${message}\n(run intctl ${command} --help for usage)\n` });
  });
});

describe('the demo', () => {
  it('reconciles the examples in promotion order and stops prod at its approval gate', async () => {
    let printed = '';
    const result = await runDemo({ examples: EXAMPLES, config: { holder: 'demo', leaseTtlMs: 30_000 }, write: (t) => (printed += t), workDir: work });
    expect(result.reports.map((r) => `${r.environment}: ${r.outcome.kind}`)).toEqual(['dev: Applied', 'test: Applied', 'prod: Waiting']);
    expect(printed).toContain('AwaitingApproval=True  AwaitingApproval: needs 2 approving reviews');
    expect(printed).toContain('What to try next:');
  });
});
