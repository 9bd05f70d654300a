/**
 * The GitHub client and reporter against the GitHub stand-in (every request checked against
 * GitHub's published description): rate limits honoured, 5xx retried, conditional requests,
 * annotations in batches, and a request count that does not grow with the number of integrations.
 */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../controller/core/plan.ts';
import type { Problem } from '../../controller/core/problem.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { reviewsOf } from '../../controller/reporting/github/approvals.ts';
import type { EnvironmentCheck } from '../../controller/reporting/github/check-report.ts';
import { createGithubClient, GithubRequestError } from '../../controller/reporting/github/github-client.ts';
import { createGithubMetrics } from '../../controller/reporting/github/github-metrics.ts';
import { createGithubReporter, IN_PROGRESS_AFTER_MS, MAX_ANNOTATIONS, type GithubReporterOptions } from '../../controller/reporting/github/github-reporter.ts';
import { createLogger } from '../../controller/observability/logger.ts';
import { captureLogs } from '../runtime/support/capture-logs.ts';
import { startGithubStandIn, type GithubStandIn } from '../support/github/github-stand-in.ts';
import { manualTimers } from '../runtime/support/manual-timers.ts';
import { until } from '../support/time.ts';

const SHA = 'c'.repeat(40);
/** Milliseconds per second of retry-after: waits are scaled down, never skipped. */
const BASE_MS = 40;
/** Least milliseconds between two writes: GitHub's second, scaled down (the test below keeps the second). */
const WRITE_INTERVAL_MS = 25;

let gh: GithubStandIn | undefined;
afterEach(async () => {
  if (gh) {
    expect(gh.invalidRequests).toEqual([]);
    expect(gh.invalidResponses).toEqual([]);
    await gh.close();
  }
  gh = undefined;
});

/** The stand-in, and a client and reporter against it; `githubWriteInterval` keeps octokit's own second between writes. */
async function setUp(auth: 'app' | 'token' = 'app', pathPrefix?: string, { githubWriteInterval = false, reporter: reporterOptions = {} as Partial<GithubReporterOptions> } = {}) {
  gh = await startGithubStandIn({ owner: 'acme', repo: 'integrations', auth, ...(pathPrefix ? { pathPrefix } : {}) });
  const logs = captureLogs();
  const logger = createLogger({ level: 'debug', destination: logs.destination });
  const registry = new Registry();
  const metrics = createGithubMetrics(registry);
  const config = {
    apiUrl: gh.url,
    owner: 'acme',
    repo: 'integrations',
    auth: auth === 'app' ? ({ kind: 'app', appId: gh.appId, privateKey: gh.appPrivateKeyPem } as const) : ({ kind: 'token', token: gh.token } as const),
  };
  const client = createGithubClient({ config, logger, metrics, retryAfterBaseMs: BASE_MS, ...(githubWriteInterval ? {} : { writeIntervalMs: WRITE_INTERVAL_MS }) });
  const reporter = createGithubReporter({ client, kind: auth === 'app' ? 'checks' : 'statuses', logger, metrics, ...(auth === 'app' ? { appId: gh.appId } : {}), ...reporterOptions });
  return { gh, client, reporter, logs, registry, metrics };
}

function publish(name: string): PlanAction {
  return {
    id: `publish:${name}:none->sha256:${name}@1.abc`,
    type: 'Publish',
    integration: { name, version: '1.0.0', artifactHash: `sha256:${name}`, system: 'openapi', catalog: {}, requires: {}, connection: 'crm-api', commit: SHA },
    reason: 'New',
    breaking: false,
  };
}

function check(integrations: number, problems: Problem[] = []): EnvironmentCheck {
  const actions = Array.from({ length: integrations }, (_, i) => publish(`integration-${String(i).padStart(5, '0')}`));
  const plan: Plan = { environment: 'dev', basedOn: 1, id: '1.abc', actions, notices: [], breakingChanges: {} };
  return {
    environment: 'dev',
    event: 'push',
    commit: SHA,
    problems,
    outcome: problems.length > 0 ? { kind: 'ValidationFailed', message: 'invalid' } : { kind: 'Applied', applied: actions.length, drifted: [] },
    ...(problems.length > 0 ? {} : { plan }),
    interfaceChanges: {},
  };
}

/** Milliseconds from a failed request of the operation to its retry, as the stand-in received them: what the client waited. */
function waited(gh: GithubStandIn, operationId: string): number {
  const [failed, retried] = gh.requests.filter((r) => r.operationId === operationId);
  return retried!.receivedAt - failed!.receivedAt;
}

/** Milliseconds between consecutive writes, as the stand-in received them. */
function gapsBetweenWrites(gh: GithubStandIn): number[] {
  const writes = gh.requests.filter((r) => r.method !== 'GET' && !r.operationId?.startsWith('apps/'));
  return writes.slice(1).map((w, i) => w.receivedAt - writes[i]!.receivedAt);
}

const problem = (line: number): Problem => ({ file: 'integrations/crm.yaml', line, column: 3, severity: 'error', reason: 'SchemaViolation', field: `spec.entities[${line}]`, message: 'is wrong' });

describe('rate limits and server errors', () => {
  it('waits as long as a secondary rate limit (403, retry-after) asks, then succeeds', async () => {
    const { gh, reporter, logs } = await setUp();
    gh.failNext({ status: 403, retryAfter: 3, operationId: 'checks/create' });
    await reporter.report(check(2));
    expect(waited(gh, 'checks/create')).toBeGreaterThanOrEqual(3 * BASE_MS);
    expect(gh.requests.filter((r) => r.operationId === 'checks/create').map((r) => r.status)).toEqual([403, 201]);
    expect(gh.state.checkRuns).toMatchObject([{ name: 'intctl/dev', conclusion: 'success' }]);
    expect(logs.lines().some((l) => l.msg === 'GitHub secondary rate limit; retrying in 3 s')).toBe(true);
  });

  it.each([
    ['a secondary limit answered 429', { status: 429 as const, retryAfter: 2 }],
    ['a plain 429 with retry-after', { status: 429 as const, retryAfter: 2, secondary: false }],
  ])('retries %s after retry-after', async (_name, fault) => {
    const { gh, reporter } = await setUp('token');
    gh.failNext({ ...fault, operationId: 'repos/create-commit-status' });
    await reporter.report(check(1));
    expect(waited(gh, 'repos/create-commit-status')).toBeGreaterThanOrEqual(2 * BASE_MS);
    expect(gh.requests.filter((r) => r.operationId === 'repos/create-commit-status').map((r) => r.status)).toEqual([429, 201]);
    expect(gh.state.statuses).toMatchObject([{ context: 'intctl/dev', state: 'success' }]);
  });

  it('waits for the reset of an exhausted primary rate limit', async () => {
    const { gh, reporter, logs } = await setUp('token');
    gh.failNext({ status: 403, primary: true, retryAfter: 1, operationId: 'repos/create-commit-status' });
    await reporter.report(check(1));
    expect(gh.requests.filter((r) => r.operationId === 'repos/create-commit-status').map((r) => r.status)).toEqual([403, 201]);
    const retrying = logs.lines().find((l) => String(l.msg).startsWith('GitHub rate limit exhausted; retrying in'));
    // Until a second after the reset, as octokit counts it: at least the one second asked for.
    expect(retrying?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(waited(gh, 'repos/create-commit-status')).toBeGreaterThanOrEqual(Number(retrying!.retryAfter) * BASE_MS);
  });

  it.each([500, 502, 503] as const)('retries a %i from the API', async (status) => {
    const { gh, reporter } = await setUp();
    gh.failNext({ status, operationId: 'checks/create' });
    await reporter.report(check(1));
    expect(gh.requests.filter((r) => r.operationId === 'checks/create').map((r) => r.status)).toEqual([status, 201]);
  });

  it('does not retry a 406: one request, and an error that says what GitHub answered', async () => {
    const { gh, reporter } = await setUp();
    gh.failNext({ status: 406, times: 5, operationId: 'checks/create' });
    const error = await reporter.report(check(1)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GithubRequestError);
    expect((error as GithubRequestError).status).toBe(406);
    expect(gh.requests.filter((r) => r.operationId === 'checks/create').map((r) => r.status)).toEqual([406]);
  });

  it('gives up after its retries with an error that says what GitHub answered, and counts the failure', async () => {
    const { gh, reporter, metrics } = await setUp();
    gh.failNext({ status: 500, times: 4, operationId: 'checks/create' });
    const error = await reporter.report(check(1)).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(GithubRequestError);
    expect((error as Error).message).toMatch(/^GitHub answered 500 to POST http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/integrations\/check-runs: Server Error$/);
    expect(gh.requests.filter((r) => r.operationId === 'checks/create')).toHaveLength(4);
    expect((await metrics.reportFailures.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { kind: 'checks' } })]);
  });
});

describe('writes spaced apart, as GitHub asks of a client', () => {
  it('leaves a second between two writes unless told otherwise', async () => {
    const { gh, reporter } = await setUp('app', undefined, { githubWriteInterval: true });
    await reporter.report(check(0, Array.from({ length: 60 }, (_, i) => problem(i + 1))));
    const gaps = gapsBetweenWrites(gh);
    expect(gaps).toHaveLength(1);
    // The limiter spaces the moments it lets writes go by a second; each reaches the stand-in a
    // little after its moment, by a delay that varies with the machine's load: half of it is
    // kept whatever that delay, while a write let through at once would follow within milliseconds.
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
  });
});

describe('what the reporter sends', () => {
  it('sends annotations 50 to a request, appended to one check run, up to its cap', async () => {
    const { gh, reporter } = await setUp();
    await reporter.report(check(0, Array.from({ length: 120 }, (_, i) => problem(i + 1))));
    const [run] = gh.state.checkRuns;
    expect(run).toMatchObject({ name: 'intctl/dev', conclusion: 'failure', writes: 3 });
    expect(run!.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('caps the annotations of one run and says how many more there are', async () => {
    const { gh, reporter } = await setUp();
    await reporter.report(check(0, Array.from({ length: MAX_ANNOTATIONS + 30 }, (_, i) => problem(i + 1))));
    const [run] = gh.state.checkRuns;
    expect(run!.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(run!.output.summary).toContain(`30 more problems are not annotated here (at most ${MAX_ANNOTATIONS} a check run)`);
  });

  it('marks the runs still in progress on an older head of a pull request superseded by the new one', async () => {
    const { gh, reporter } = await setUp('app', undefined, { reporter: { inProgressAfterMs: 0 } });
    const older = 'e'.repeat(40);
    await reporter.started(4, older, ['dev', 'prod']);
    expect(gh.state.checkRuns.map((r) => [r.head_sha, r.name, r.status])).toEqual([
      [older, 'intctl/dev', 'in_progress'],
      [older, 'intctl/prod', 'in_progress'],
    ]);
    await reporter.report({ ...check(1), commit: older, event: 'pull_request', pullRequest: 4 });
    await reporter.started(4, SHA, ['dev', 'prod']);
    const on = (sha: string) => gh.state.checkRuns.filter((r) => r.head_sha === sha).map((r) => [r.name, r.status, r.conclusion, r.output.title]);
    expect(on(older)).toEqual([
      ['intctl/dev', 'completed', 'success', expect.any(String)],
      ['intctl/prod', 'completed', 'cancelled', `Superseded by ${SHA.slice(0, 7)}`],
    ]);
    expect(on(SHA)).toEqual([
      ['intctl/dev', 'in_progress', null, 'Planning…'],
      ['intctl/prod', 'in_progress', null, 'Planning…'],
    ]);
  });

  it("posts a pull request's check run with its result when the plan is ready before it would be shown in progress: one write", async () => {
    const timers = manualTimers();
    const { gh, reporter } = await setUp('app', undefined, { reporter: { timers: timers.timers } });
    await reporter.started(4, SHA, ['dev', 'prod']);
    expect(timers.delays()).toEqual([IN_PROGRESS_AFTER_MS, IN_PROGRESS_AFTER_MS]);
    expect(gh.state.checkRuns).toEqual([]);
    await reporter.report({ ...check(1), event: 'pull_request', pullRequest: 4 });
    expect(timers.delays()).toEqual([IN_PROGRESS_AFTER_MS]);
    expect(gh.state.checkRuns.map((r) => [r.name, r.status, r.conclusion, r.writes])).toEqual([['intctl/dev', 'completed', 'success', 1]]);
    expect(gh.requests.filter((r) => r.operationId?.startsWith('checks/') && r.method !== 'GET').map((r) => r.operationId)).toEqual(['checks/create']);
    // Planning prod took longer: it is shown in progress, then completed on the same run.
    timers.fireAll();
    await until('prod to be shown in progress', () => gh!.state.checkRuns.some((r) => r.name === 'intctl/prod'));
    expect(gh.state.checkRuns.find((r) => r.name === 'intctl/prod')).toMatchObject({ status: 'in_progress', output: { title: 'Planning…' } });
    await reporter.report({ ...check(1), environment: 'prod', event: 'pull_request', pullRequest: 4 });
    expect(gh.state.checkRuns.map((r) => [r.name, r.status, r.conclusion, r.writes])).toEqual([
      ['intctl/dev', 'completed', 'success', 1],
      ['intctl/prod', 'completed', 'success', 2],
    ]);
  });

  it('waits for an in-progress write under way before completing, so that one run holds the result', async () => {
    const timers = manualTimers();
    const { gh, reporter } = await setUp('app', undefined, { reporter: { timers: timers.timers } });
    await reporter.started(4, SHA, ['dev']);
    timers.fireAll();
    // The result comes while the in-progress run is being created.
    await reporter.report({ ...check(1), event: 'pull_request', pullRequest: 4 });
    expect(gh.state.checkRuns.map((r) => [r.name, r.status, r.conclusion])).toEqual([['intctl/dev', 'completed', 'success']]);
  });

  it('posts nothing for an older head whose plans were not yet shown when a newer head supersedes it', async () => {
    const timers = manualTimers();
    const { gh, reporter } = await setUp('app', undefined, { reporter: { timers: timers.timers } });
    await reporter.started(4, 'e'.repeat(40), ['dev', 'prod']);
    await reporter.started(4, SHA, ['dev', 'prod']);
    expect(timers.delays()).toEqual([IN_PROGRESS_AFTER_MS, IN_PROGRESS_AFTER_MS]);
    timers.fireAll();
    await until('both environments of the new head to be shown in progress', () => gh!.state.checkRuns.length === 2);
    expect(gh.state.checkRuns.map((r) => [r.head_sha, r.name, r.status])).toEqual([
      [SHA, 'intctl/dev', 'in_progress'],
      [SHA, 'intctl/prod', 'in_progress'],
    ]);
  });

  it('sets a commit status pending only when the plan takes longer than the wait, as it does a check run', async () => {
    const timers = manualTimers();
    const { gh, reporter } = await setUp('token', undefined, { reporter: { timers: timers.timers } });
    await reporter.started(4, SHA, ['dev', 'prod']);
    await reporter.report({ ...check(1), event: 'pull_request', pullRequest: 4 });
    timers.fireAll();
    await until('prod to be pending', () => gh!.state.statuses.some((s) => s.context === 'intctl/prod'));
    expect(gh.state.statuses.map((s) => [s.context, s.state])).toEqual([
      ['intctl/dev', 'success'],
      ['intctl/prod', 'pending'],
    ]);
  });

  it('sends nothing for a report identical to the last, and updates the same run when it changes', async () => {
    const { gh, reporter } = await setUp();
    const waiting: EnvironmentCheck = { ...check(3), outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 2 approving reviews; has 0', pending: 3 } };
    await reporter.report(waiting);
    const after = gh.requests.length;
    await reporter.report(waiting);
    expect(gh.requests.length).toBe(after);
    await reporter.report(check(3));
    expect(gh.state.checkRuns).toHaveLength(1);
    expect(gh.state.checkRuns[0]).toMatchObject({ conclusion: 'success', writes: 2 });
  });

  it('keeps what an apply reported on a commit when a later reconcile finds nothing to do there', async () => {
    const { gh, reporter } = await setUp();
    await reporter.report(check(3));
    const inStep: EnvironmentCheck = { ...check(0), outcome: { kind: 'Applied', applied: 0, drifted: [] } };
    const after = gh.requests.length;
    await reporter.report(inStep);
    expect(gh.requests.length).toBe(after);
    expect(gh.state.checkRuns[0]).toMatchObject({ conclusion: 'success', output: { title: 'Applied 3 actions at ccccccc' } });
    // It does replace a report that was not a success: an apply by hand after a wait, say.
    await reporter.report({ ...check(3), commit: 'd'.repeat(40), outcome: { kind: 'Waiting', reason: 'ManualApplyRequired', message: 'run intctl apply', pending: 3 } });
    await reporter.report({ ...inStep, commit: 'd'.repeat(40) });
    expect(gh.state.checkRuns.find((r) => r.head_sha === 'd'.repeat(40))).toMatchObject({ conclusion: 'success', output: { title: 'No changes' } });
  });

  it('finds the run of a commit it reported before a restart instead of creating a second one', async () => {
    const { gh, client, reporter, metrics, logs } = await setUp();
    await reporter.report({ ...check(1), outcome: { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 1', pending: 1 } });
    const restarted = createGithubReporter({ client, kind: 'checks', logger: createLogger({ level: 'silent', destination: logs.destination }), metrics });
    await restarted.report(check(1));
    expect(gh.state.checkRuns).toHaveLength(1);
    expect(gh.state.checkRuns[0]!.conclusion).toBe('success');
  });

  it('reads reviews again with a conditional request, answered 304 at no rate-limit cost', async () => {
    const { gh, client } = await setUp();
    gh.addPullRequest({ number: 9, head: { sha: SHA, ref: 'change' }, base: { sha: 'd'.repeat(40), ref: 'main' }, user: 'alice', state: 'open' });
    gh.addReview(9, { user: 'bob', state: 'APPROVED', commitId: SHA });
    const first = await reviewsOf(client, 9);
    const remaining = gh.rateLimit.remaining;
    const second = await reviewsOf(client, 9);
    expect(second).toEqual(first);
    expect(gh.requests.filter((r) => r.operationId === 'pulls/list-reviews').map((r) => r.status)).toEqual([200, 304]);
    expect(gh.rateLimit.remaining).toBe(remaining);
    gh.addReview(9, { user: 'carol', state: 'APPROVED', commitId: SHA });
    expect((await reviewsOf(client, 9)).map((r) => r.user)).toEqual(['bob', 'carol']);
  });

  it('reports to GitHub Enterprise Server at its /api/v3 root, checked against its own description', async () => {
    const { gh, reporter, registry } = await setUp('app', '/api/v3');
    expect(gh.url).toMatch(/\/api\/v3$/);
    await reporter.report(check(2));
    expect(gh.state.checkRuns).toMatchObject([{ name: 'intctl/dev', conclusion: 'success' }]);
    expect(await registry.metrics()).toMatch(/route="\/repos\/\{owner\}\/\{repo\}\/check-runs",status="201"/);
  });

  it('records the rate-limit headroom GitHub reports as a metric', async () => {
    const { gh, reporter, registry } = await setUp();
    await reporter.report(check(1));
    const text = await registry.metrics();
    expect(text).toContain(`intctl_github_rate_limit_remaining{resource="core"} ${gh.rateLimit.remaining}`);
    expect(text).toMatch(/intctl_github_requests_total\{method="POST",route="\/repos\/\{owner\}\/\{repo\}\/check-runs",status="201"\} 1/);
  });

  it.each([
    ['check runs', 'app' as const],
    ['commit statuses', 'token' as const],
  ])('sends as many %s requests for 5,000 integrations as for 5', async (_name, auth) => {
    const counts: number[] = [];
    for (const integrations of [5, 5000]) {
      const { gh: stand, reporter } = await setUp(auth);
      await reporter.report(check(integrations));
      counts.push(stand.requests.filter((r) => !r.operationId?.startsWith('apps/')).length);
      expect(stand.invalidRequests).toEqual([]);
      await stand.close();
      gh = undefined;
    }
    expect(counts[1]).toBe(counts[0]);
  });
});
