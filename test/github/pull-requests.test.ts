/**
 * Pull requests end to end: signed webhooks from GitHub's own example payloads reach the real
 * controller, which plans the pull request's head from a real Git remote and reports check runs to
 * a GitHub stand-in that checks every request against GitHub's published OpenAPI description.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { crmConnection, crmIntegration as crm } from '../support/crm.ts';
import { environment as environmentManifest, PINS, toYaml } from '../support/manifests.ts';
import { until } from '../support/time.ts';
import { crmIntegration, createWorld, environment, type World } from './support/pull-request-world.ts';

/** What every test leaves true of its world: valid requests only, and no secret in a log line or a check. */
function expectClean(current: World): void {
  expect(current.gh.invalidRequests).toEqual([]);
  // The token, the App's key and its installation tokens never reach a log line or a check.
  const written = JSON.stringify([current.logs.lines(), current.gh.state.checkRuns, current.gh.state.statuses]);
  const secrets = [current.gh.token, current.gh.appPrivateKeyPem.split('\n')[1]!, ...current.gh.state.installationTokens.map((t) => t.token)];
  for (const secret of secrets) expect(written).not.toContain(secret);
}

/** The world a test ran in, checked after it (and, on a failure, what the controller said and GitHub received). */
let world: World | undefined;
afterEach((context) => {
  if (!world) return;
  if (context.task.result?.state === 'fail') {
    for (const line of world.logs.lines().filter((l) => l.level !== 'debug').slice(-80)) console.log(JSON.stringify(line).slice(0, 600));
    for (const request of world.gh.requests.slice(-80)) console.log(request.method, request.path, request.status);
  }
  const current = world;
  world = undefined;
  expectClean(current);
});

/** A world for the tests of one describe block, built once: they open pull requests of their own numbers and merge none. */
function sharedWorld(options: Parameters<typeof createWorld>[0] = {}): () => World {
  let shared: World | undefined;
  beforeAll(async () => {
    shared = await createWorld(options);
  });
  afterAll(async () => {
    await shared?.close();
  });
  return () => (world = shared!);
}

/** A world of a test's own (it merges, or needs another kind of authentication), closed after it. */
async function ownWorld(options: Parameters<typeof createWorld>[0] = {}): Promise<World> {
  const own = await createWorld(options);
  world = own;
  onTestFinished(() => own.close());
  return own;
}

const completed = (w: World, sha: string, name: string) => () => {
  const run = w.checkRun(sha, name);
  return run?.status === 'completed' ? run : undefined;
};

describe('pull requests: a check run per environment the change affects', () => {
  // One world for every pull request here; the staging token is for the test of redirected environments.
  const shared = sharedWorld({ env: { INTCTL_ENV_TOKEN_STAGING: 'token-of-staging-not-for-pull-requests' } });

  it('reports a clean plan as success, and an environment the change does not touch as No changes without planning it', async () => {
    const world = shared();
    const head = await world.openPullRequest(1, {
      'environments/dev.yaml': environment('dev', { requiredApprovals: 0, allowBreaking: true }, { ...PINS, 'integration-utils': '3.1.0' }),
    });
    const run = await until('intctl/dev on the head', completed(world, head, 'intctl/dev'));
    expect(run.conclusion).toBe('success');
    expect(run.output.summary).toContain('integration-utils');
    expect(run.output.summary).toContain('3.1.0');
    // prod is not touched: a check that branch protection may require says so at once.
    const prod = world.checkRun(head, 'intctl/prod');
    expect(prod).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'No changes' } });
    expect(prod!.output.summary).toContain('changes no manifest or specification that environment **prod** uses');
    // Nothing was applied: dev still has what main gave it.
    expect(world.running.controller.statuses().find((s) => s.environment === 'dev')?.observedCommit).toBe(world.main);
  });

  it('reports validation errors as annotations on the manifest lines, with conclusion failure', async () => {
    const world = shared();
    // A typo the types refuse, and validation must too: on line 9, `operations: [Get, Serch]`.
    const broken = crmIntegration(['Get', 'Serch' as 'Search']);
    expect(broken.split('\n')[8]).toBe('      operations: [Get, Serch]');
    const head = await world.openPullRequest(2, { 'integrations/crm.yaml': broken });
    const dev = await until('intctl/dev', completed(world, head, 'intctl/dev'));
    const prod = await until('intctl/prod', completed(world, head, 'intctl/prod'));
    for (const run of [dev, prod]) {
      expect(run.conclusion).toBe('failure');
      expect(run.annotations).toEqual([
        expect.objectContaining({ path: 'integrations/crm.yaml', start_line: 9, end_line: 9, annotation_level: 'failure', title: 'spec.entities[0].operations[1]' }),
      ]);
      expect(run.annotations[0]!.message).toContain('must be one of Get, Search, Count');
    }
  });

  it('holds a breaking change in the protected environment as action_required, breaking changes first', async () => {
    const world = shared();
    const head = await world.openPullRequest(3, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search']) });
    const prod = await until('intctl/prod', completed(world, head, 'intctl/prod'));
    const dev = await until('intctl/dev', completed(world, head, 'intctl/dev'));
    expect(prod.conclusion).toBe('action_required');
    expect(prod.output.title).toMatch(/breaking/i);
    const summary = prod.output.summary ?? '';
    expect(summary).toContain('CountCustomers');
    expect(summary.indexOf('Breaking')).toBeLessThan(summary.indexOf('| Action'));
    // dev allows breaking changes and needs no approval.
    expect(dev.conclusion).toBe('success');
  });

  it('reaches each environment as the tracked branch defines it, never as the pull request does', async () => {
    // A server of the pull request's author, which an environment's token must never reach.
    const seen: string[] = [];
    const trap = createServer((request, response) => {
      seen.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const world = shared();
    try {
      const redirect = (name: string) =>
        toYaml(
          environmentManifest({
            name,
            driver: 'http',
            url,
            token: { env: 'INTCTL_ENV_TOKEN_STAGING' },
            policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: false },
            dependencies: PINS,
          }),
        );
      const head = await world.openPullRequest(8, {
        'environments/dev.yaml': redirect('dev'),
        'environments/staging.yaml': redirect('staging'),
        'integrations/crm.yaml': toYaml(crm({ environments: ['dev', 'prod', 'staging'] })),
        'connections/crm.yaml': toYaml(
          crmConnection({ dev: { env: 'CRM_DEV_API_KEY' }, staging: { env: 'CRM_API_KEY' }, prod: { env: 'CRM_API_KEY' } }, { staging: 'https://crm.example.com/v2', prod: 'https://crm.example.com/v2' }),
        ),
      });
      const dev = await until('intctl/dev', completed(world, head, 'intctl/dev'));
      const staging = await until('intctl/staging', completed(world, head, 'intctl/staging'));
      expect(dev.conclusion).toBe('success');
      expect(dev.output.title).toBe('No changes');
      expect(staging).toMatchObject({ conclusion: 'neutral', output: { title: 'New environment: planned once it is on the tracked branch' } });
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });

  it('reports an environment removed from an integration where merging prunes it, never as No changes', async () => {
    const world = shared();
    // prod prunes: merging this unpublishes crm there, a destructive action a reviewer must see.
    const head = await world.openPullRequest(10, { 'integrations/crm.yaml': toYaml(crm({ environments: ['dev'] })) });
    const prod = await until('intctl/prod', completed(world, head, 'intctl/prod'));
    expect(prod.output.title).not.toBe('No changes');
    expect(prod.output.title).toContain('1 to unpublish');
    expect(prod.output.summary).toContain('| unpublish | crm | pruned |  | **destructive** |');
    expect(prod.output.summary).toContain('🗑️ 1 destructive prune');
  });

  it("shows where a connection's credentials will go when its endpoint moves to another host", async () => {
    const world = shared();
    const moved = crmConnection({ dev: { env: 'CRM_DEV_API_KEY' }, prod: { env: 'CRM_API_KEY' } }, { prod: 'https://crm.elsewhere.example/v2' });
    const head = await world.openPullRequest(11, { 'connections/crm.yaml': toYaml(moved) });
    const prod = await until('intctl/prod', completed(world, head, 'intctl/prod'));
    expect(prod.output.summary).toContain('  - endpoint ~ `https://crm.example.com/v2` → `https://crm.elsewhere.example/v2`: ⚠️ its credentials will be sent to another host');
    expect(prod.output.summary).toContain('🔀 1 connection sending its credentials to another host');
  });

  it('shows how many actions a new integration publishes, and which: with functions left out, every function of the specification', async () => {
    const world = shared();
    const head = await world.openPullRequest(12, { 'integrations/crm-reports.yaml': toYaml(crm({ name: 'crm-reports', operations: ['Get', 'Search'], environments: ['dev'] })) });
    const dev = await until('intctl/dev', completed(world, head, 'intctl/dev'));
    expect(dev.output.summary).toContain('<details><summary>crm-reports: publishes 5 actions, 1 entity</summary>');
    expect(dev.output.summary).toContain('GetCustomer, LoseOpportunity, MergeCustomers, SearchCustomers, WinOpportunity');
    expect(dev.output.summary).toMatch(/\| publish \| crm-reports \| new \| version \w+, 5 actions \|/);
  });

  it('supersedes the runs of an older head when a new commit is pushed', async () => {
    const world = shared();
    const first = await world.openPullRequest(4, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search', 'Count', 'Create']) });
    await until('the first head planned', completed(world, first, 'intctl/dev'));
    const second = await world.pushToPullRequest(4, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search', 'Count', 'Create', 'Update']) });
    const run = await until('the second head planned', completed(world, second, 'intctl/dev'));
    expect(run.conclusion).toBe('success');
    expect(world.gh.state.checkRuns.filter((r) => r.head_sha === second && r.name === 'intctl/dev')).toHaveLength(1);
  });

  it('turns the protected environment green on the pull request once it has two current approvals', async () => {
    const world = shared();
    const head = await world.openPullRequest(5, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search', 'Count', 'Create']) });
    const waiting = await until('intctl/prod waiting', completed(world, head, 'intctl/prod'));
    expect(waiting.conclusion).toBe('action_required');
    expect(waiting.output.title).toContain('needs 2 approvals (has 0)');
    await world.review(5, 'bob', 'APPROVED');
    await world.review(5, 'carol', 'APPROVED', 'f'.repeat(40)); // of another commit: stale
    await until('one approval counted', () => world.checkRun(head, 'intctl/prod')?.output.title?.includes('(has 1)'));
    await world.review(5, 'carol', 'APPROVED');
    const approved = await until('intctl/prod approved', () => {
      const run = world.checkRun(head, 'intctl/prod');
      return run?.conclusion === 'success' ? run : undefined;
    });
    expect(approved.output.summary).toContain('carol');
  });
});

describe('the tracked branch: apply results and approvals that arrive after the merge', () => {
  it('applies dev at once, holds prod at AwaitingApproval on the merge commit, and applies it when approvals arrive later', async () => {
    const world = await ownWorld();
    await world.openPullRequest(6, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search', 'Count', 'Create']) });
    const merge = await world.merge(6);
    const dev = await until('dev applied', completed(world, merge, 'intctl/dev'));
    expect(dev.conclusion).toBe('success');
    const prod = await until('prod waiting', completed(world, merge, 'intctl/prod'));
    expect(prod.conclusion).toBe('action_required');
    expect(prod.output.title).toMatch(/approv/i);
    const status = () => world.running.controller.statuses().find((s) => s.environment === 'prod');
    await until('prod AwaitingApproval', () => status()?.conditions.some((c) => c.type === 'AwaitingApproval' && c.status === 'True'));

    // Approvals of the pull request's head, after the merge, apply prod without a new push.
    await world.review(6, 'bob', 'APPROVED');
    await world.review(6, 'carol', 'APPROVED');
    await until('prod applied at the merge commit', () => status()?.outcome === 'Applied' && status()?.observedCommit === merge);
    const applied = await until('the prod check run green', () => {
      const run = world.checkRun(merge, 'intctl/prod');
      return run?.conclusion === 'success' ? run : undefined;
    });
    // The same check run was updated, not a second one created.
    expect(applied.id).toBe(prod.id);

    // In step, a poll costs GitHub nothing: no approvals read, no check rewritten.
    await world.settle();
    const before = world.gh.requests.length;
    world.running.controller.enqueueAll('poll');
    await world.settle();
    expect(world.gh.requests.slice(before)).toEqual([]);
    expect(world.checkRun(merge, 'intctl/dev')?.output.title).toBe(dev.output.title);
  });

  it('reports commit statuses when authenticated with a personal access token', async () => {
    const world = await ownWorld({ auth: 'token' });
    await world.openPullRequest(7, { 'integrations/crm.yaml': crmIntegration(['Get', 'Search']) });
    const merge = await world.merge(7);
    await until('statuses on the merge commit', () => {
      const contexts = world.gh.state.statuses.filter((s) => s.sha === merge && s.state !== 'pending').map((s) => s.context);
      return contexts.includes('intctl/dev') && contexts.includes('intctl/prod');
    });
    const latest = (context: string) => world.gh.state.statuses.filter((s) => s.sha === merge && s.context === context).at(-1)!;
    expect(latest('intctl/dev').state).toBe('success');
    // prod refuses the breaking change: a person must change something.
    expect(latest('intctl/prod')).toMatchObject({ state: 'failure', description: expect.stringMatching(/breaking/i) });
    expect(world.gh.state.checkRuns).toEqual([]);
  });
});
