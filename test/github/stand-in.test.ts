import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppAuth } from '@octokit/auth-app';
import { verify } from '@octokit/webhooks-methods';
import { App, Octokit, RequestError } from 'octokit';
import { afterEach, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn, type GithubStandInOptions } from '../support/github/github-stand-in.ts';
import { loadGithubDescription } from '../support/github/openapi-description.ts';
import { deadline } from '../support/time.ts';
import { deliverWebhook, pullRequestEvent, pullRequestReviewEvent, pushEvent } from '../support/github/webhooks.ts';

const OWNER = 'acme';
const REPO = 'integrations';
const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);
const repo = { owner: OWNER, repo: REPO };

let gh: GithubStandIn | undefined;

async function start(options: Partial<GithubStandInOptions> = {}): Promise<GithubStandIn> {
  gh = await startGithubStandIn({ owner: OWNER, repo: REPO, auth: 'token', ...options });
  return gh;
}

/** Octokit as a reporter would build it, without the plugins that wait between requests unless a test wants them. */
function patClient(stand: GithubStandIn, options: Record<string, unknown> = {}): Octokit {
  return new Octokit({ auth: stand.token, baseUrl: stand.url, throttle: { enabled: false }, retry: { enabled: false }, ...options });
}

async function appClient(stand: GithubStandIn): Promise<Octokit> {
  const app = new App({
    appId: stand.appId,
    privateKey: stand.appPrivateKeyPem,
    Octokit: Octokit.defaults({ baseUrl: stand.url, throttle: { enabled: false }, retry: { enabled: false } }),
  });
  const { data: installation } = await app.octokit.rest.apps.getRepoInstallation(repo);
  return app.getInstallationOctokit(installation.id);
}

async function failure(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RequestError)) throw new Error(`expected a RequestError, got ${String(error)}`);
  return error;
}

afterEach(async () => {
  const stand = gh;
  gh = undefined;
  if (!stand) return;
  // Every response of every test must be valid against GitHub's description.
  expect(stand.invalidResponses).toEqual([]);
  await stand.close();
});

describe('GitHub stand-in', () => {
  it('starts within a few seconds the first time and at once after that', async () => {
    const first = await start();
    await first.close();
    const second = await start();
    const { loadMs } = await loadGithubDescription();
    console.info(`GitHub stand-in: description loaded in ${loadMs} ms; first start ${first.startupMs} ms, second ${second.startupMs} ms`);
    // Budgets of a quiet machine, scaled for this one (test/support/time.ts): the description is
    // loaded once per worker, so the second start does not load it again.
    expect(first.startupMs).toBeLessThan(deadline(5000));
    expect(second.startupMs).toBeLessThan(deadline(250));
  });

  it('validates its own responses: a body missing required fields is caught', async () => {
    const { served } = await loadGithubDescription();
    expect(served.validator.validateResponse({ id: 1 }, 'checks/create', 201).valid).toBe(false);
    expect(served.validator.validateResponse([{ state: 'bogus' }], 'repos/list-commit-statuses-for-ref', 200).valid).toBe(false);
  });

  it('records a response of its own that the description does not allow', async () => {
    const stand = await start();
    stand.state.statuses.push({ id: 'not a number' as never, sha: SHA, state: 'success', context: 'c', description: null, target_url: null, created_at: '2024-01-01T00:00:00Z', creator: 'x' });
    await patClient(stand).rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA });
    expect(stand.invalidResponses).toEqual([{ operationId: 'repos/list-commit-statuses-for-ref', status: 200, problems: [expect.stringContaining("'/0/id', must be integer")] }]);
    stand.invalidResponses.length = 0;
  });

  describe('with a personal access token', () => {
    it('creates commit statuses and lists them newest first', async () => {
      const stand = await start();
      const octokit = patClient(stand);
      await octokit.rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'pending', context: 'intctl/dev', description: 'planning' });
      await octokit.rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'success', context: 'intctl/dev', target_url: 'https://intctl.example/plan/1' });
      const { data } = await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA });
      expect(data.map((s) => [s.state, s.context, s.creator?.login])).toEqual([
        ['success', 'intctl/dev', 'intctl-bot'],
        ['pending', 'intctl/dev', 'intctl-bot'],
      ]);
      expect(stand.state.statuses).toHaveLength(2);
      expect(stand.invalidRequests).toEqual([]);
    });

    it('refuses a status description over 140 characters with 422 and records it', async () => {
      const stand = await start();
      const error = await failure(patClient(stand).rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'success', description: 'x'.repeat(141) }));
      expect(error.status).toBe(422);
      expect(error.response?.data).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'description', code: 'custom' }] });
      expect(stand.invalidRequests).toMatchObject([{ kind: 'Rejected', operationId: 'repos/create-commit-status' }]);
    });

    it('refuses to create a check run: only GitHub Apps may', async () => {
      const stand = await start();
      const error = await failure(patClient(stand).rest.checks.create({ ...repo, name: 'intctl', head_sha: SHA }));
      expect(error.status).toBe(403);
      expect(error.response?.data).toMatchObject({ message: 'Resource not accessible by personal access token', status: '403' });
      expect(stand.state.checkRuns).toEqual([]);
    });

    it('answers a wrong token with 401 Bad credentials', async () => {
      const stand = await start();
      const error = await failure(new Octokit({ auth: 'ghp_wrong', baseUrl: stand.url, retry: { enabled: false } }).rest.pulls.get({ ...repo, pull_number: 1 }));
      expect(error.status).toBe(401);
      expect(error.response?.data).toMatchObject({ message: 'Bad credentials' });
    });

    it('serves a pull request, its reviews page by page with a Link header, and the pull requests of a commit', async () => {
      const stand = await start();
      stand.addPullRequest({ number: 7, head: { sha: SHA, ref: 'feature' }, base: { sha: OTHER_SHA, ref: 'main' }, user: 'alice', state: 'open' });
      stand.associateCommit(SHA, 7);
      for (let i = 0; i < 25; i++) stand.addReview(7, { user: `reviewer${i}`, state: i % 2 ? 'COMMENTED' : 'APPROVED', commitId: SHA });
      const octokit = patClient(stand);

      const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: 7 });
      expect(pull).toMatchObject({ number: 7, state: 'open', merged: false, head: { sha: SHA, ref: 'feature' }, base: { ref: 'main' }, user: { login: 'alice' } });

      const first = await octokit.rest.pulls.listReviews({ ...repo, pull_number: 7, per_page: 10 });
      expect(first.data).toHaveLength(10);
      expect(first.headers.link).toContain('rel="next"');
      const all = await octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number: 7, per_page: 10 });
      expect(all.map((r) => r.user?.login)).toEqual(Array.from({ length: 25 }, (_v, i) => `reviewer${i}`));
      expect(stand.requests.filter((r) => r.operationId === 'pulls/list-reviews').map((r) => r.query.page)).toEqual([undefined, undefined, '2', '3']);

      const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: SHA });
      expect(pulls.map((p) => p.number)).toEqual([7]);
    });

    it('answers a matching If-None-Match with 304 and does not count it against the rate limit', async () => {
      const stand = await start();
      stand.addPullRequest({ number: 3, head: { sha: SHA, ref: 'x' }, base: { sha: OTHER_SHA, ref: 'main' }, user: 'bob', state: 'closed', merged: true, mergeCommitSha: OTHER_SHA });
      const octokit = patClient(stand);
      const first = await octokit.rest.pulls.get({ ...repo, pull_number: 3 });
      expect(first.data).toMatchObject({ merged: true, merge_commit_sha: OTHER_SHA, state: 'closed' });
      expect(first.headers['last-modified']).toBeDefined();
      const remaining = Number(first.headers['x-ratelimit-remaining']);
      const error = await failure(octokit.rest.pulls.get({ ...repo, pull_number: 3, headers: { 'if-none-match': first.headers.etag! } }));
      expect(error.status).toBe(304);
      expect(Number(error.response?.headers['x-ratelimit-remaining'])).toBe(remaining);
      expect(stand.rateLimit.remaining).toBe(remaining);
      expect(stand.requests.at(-1)).toMatchObject({ operationId: 'pulls/get', status: 304 });
    });

    it('counts requests in the rate limit headers; GET /rate_limit itself is free', async () => {
      const stand = await start({ rateLimit: 100 });
      const octokit = patClient(stand);
      const { headers } = await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA });
      expect(headers).toMatchObject({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99', 'x-ratelimit-used': '1', 'x-ratelimit-resource': 'core' });
      expect(headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
      const { data } = await octokit.rest.rateLimit.get();
      expect(data.resources.core).toMatchObject({ limit: 100, remaining: 99, used: 1 });
      expect(stand.rateLimit.remaining).toBe(99);
    });
  });

  describe('with a GitHub App', () => {
    it('authenticates with a JWT, exchanges it for an installation token, and uses the token for the repository', async () => {
      const stand = await start({ auth: 'app' });
      const octokit = await appClient(stand);
      await octokit.rest.checks.create({ ...repo, name: 'intctl/plan', head_sha: SHA, status: 'in_progress' });
      expect(stand.requests.map((r) => [r.method, r.operationId, r.status])).toEqual([
        ['GET', 'apps/get-repo-installation', 200],
        ['POST', 'apps/create-installation-access-token', 201],
        ['POST', 'checks/create', 201],
      ]);
      expect(stand.requests[0]!.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
      expect(stand.requests[2]!.headers.authorization).toBe(`token ${stand.state.installationTokens[0]!.token}`);
      expect(stand.state.installationTokens[0]!.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    });

    it('works with createAppAuth given the installation id', async () => {
      const stand = await start({ auth: 'app' });
      const octokit = new Octokit({
        authStrategy: createAppAuth,
        auth: { appId: stand.appId, privateKey: stand.appPrivateKeyPem, installationId: stand.installationId },
        baseUrl: stand.url,
        throttle: { enabled: false },
      });
      const { data } = await octokit.rest.checks.create({ ...repo, name: 'intctl/plan', head_sha: SHA, conclusion: 'success', output: { title: 'Plan', summary: 'nothing to do' } });
      expect(data).toMatchObject({ status: 'completed', conclusion: 'success', app: { id: stand.appId } });
    });

    it('refuses a JWT signed with another key, and a repository request without an installation token', async () => {
      const stand = await start({ auth: 'app' });
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const app = new App({ appId: stand.appId, privateKey: other.privateKey, Octokit: Octokit.defaults({ baseUrl: stand.url, retry: { enabled: false } }) });
      expect((await failure(app.octokit.rest.apps.getRepoInstallation(repo))).status).toBe(401);
      const error = await failure(patClient(stand, { auth: 'ghs_notissued' }).rest.checks.listForRef({ ...repo, ref: SHA }));
      expect(error.response?.data).toMatchObject({ message: 'Bad credentials' });
    });

    it('appends annotations across updates, lists them, and lists check runs for a ref by name', async () => {
      const stand = await start({ auth: 'app' });
      const octokit = await appClient(stand);
      const note = (line: number) => ({ path: 'integrations/crm.yaml', start_line: line, end_line: line, annotation_level: 'warning' as const, message: `line ${line}` });
      const { data: run } = await octokit.rest.checks.create({ ...repo, name: 'intctl/plan', head_sha: SHA, output: { title: 'Plan', summary: 's', annotations: [note(1), note(2)] } });
      await octokit.rest.checks.update({ ...repo, check_run_id: run.id, output: { title: 'Plan', summary: 's2', annotations: [note(3)] } });
      const { data: done } = await octokit.rest.checks.update({ ...repo, check_run_id: run.id, conclusion: 'failure' });
      expect(done).toMatchObject({ status: 'completed', conclusion: 'failure', output: { summary: 's2', annotations_count: 3 } });
      expect(done.completed_at).not.toBeNull();
      const { data: annotations } = await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: run.id });
      expect(annotations.map((a) => a.message)).toEqual(['line 1', 'line 2', 'line 3']);

      await octokit.rest.checks.create({ ...repo, name: 'intctl/other', head_sha: SHA });
      const { data: again } = await octokit.rest.checks.create({ ...repo, name: 'intctl/plan', head_sha: SHA });
      const named = await octokit.rest.checks.listForRef({ ...repo, ref: SHA, check_name: 'intctl/plan' });
      expect(named.data).toMatchObject({ total_count: 1, check_runs: [{ id: again.id }] });
      const all = await octokit.rest.checks.listForRef({ ...repo, ref: SHA, check_name: 'intctl/plan', filter: 'all' });
      expect(all.data.check_runs.map((r) => r.id)).toEqual([again.id, run.id]);
      expect(stand.invalidRequests).toEqual([]);
    });

    it.each([
      ['an unknown conclusion', { conclusion: 'great' }, "'/requestBody/conclusion'"],
      ['51 annotations', { output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm' })) } }, "'/requestBody/output/annotations'"],
      ['a summary over 65535 characters', { output: { title: 't', summary: 'x'.repeat(65_536) } }, "'/requestBody/output/summary'"],
    ])('answers a check run with %s 422 and records it as invalid', async (_name, extra, where) => {
      const stand = await start({ auth: 'app' });
      const octokit = await appClient(stand);
      const error = await failure(octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...repo, name: 'intctl', head_sha: SHA, ...extra } as never));
      expect(error.status).toBe(422);
      expect((error.response?.data as { message: string }).message).toMatch(/^Invalid request\.\n\n/);
      expect(stand.invalidRequests).toMatchObject([{ kind: 'Schema', operationId: 'checks/create', status: 422 }]);
      expect(stand.invalidRequests[0]!.problems.join('\n')).toContain(where);
      expect(stand.state.checkRuns).toEqual([]);
    });
  });

  describe('faults', () => {
    it('a secondary rate limit: 403 with retry-after, which Octokit throttling recognises and retries', async () => {
      const stand = await start();
      stand.failNext({ status: 403, retryAfter: 1, operationId: 'repos/list-commit-statuses-for-ref' });
      const seen: number[] = [];
      const octokit = patClient(stand, {
        throttle: { retryAfterBaseValue: 10, onSecondaryRateLimit: (after: number) => (seen.push(after), true), onRateLimit: () => false },
      });
      await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA });
      expect(seen).toEqual([1]);
      expect(stand.requests.map((r) => r.status)).toEqual([403, 200]);
    });

    it('a primary rate limit: 403 with x-ratelimit-remaining 0 and a reset ahead', async () => {
      const stand = await start();
      stand.failNext({ status: 403, primary: true, retryAfter: 3 });
      const error = await failure(patClient(stand).rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA }));
      expect(error.response?.headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(error.response?.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      expect(error.response?.data).toMatchObject({ message: expect.stringMatching(/^API rate limit exceeded for user ID/), status: '403' });
      const reported: number[] = [];
      stand.failNext({ status: 403, primary: true, retryAfter: 3 });
      const throttled = patClient(stand, { throttle: { onSecondaryRateLimit: () => false, onRateLimit: (after: number) => (reported.push(after), false) } });
      await failure(throttled.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA }));
      expect(reported).toHaveLength(1);
    });

    it('429 with retry-after, and only as many times as asked', async () => {
      const stand = await start();
      stand.failNext({ status: 429, retryAfter: 7, times: 2 });
      const octokit = patClient(stand);
      for (let i = 0; i < 2; i++) {
        const error = await failure(octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA }));
        expect([error.status, error.response?.headers['retry-after']]).toEqual([429, '7']);
        expect((error.response?.data as { message: string }).message).toMatch(/^You have exceeded a secondary rate limit/);
      }
      await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: SHA });
    });

    it.each([500, 502, 503] as const)('%i, which Octokit retries', async (status) => {
      const stand = await start();
      stand.failNext({ status });
      const octokit = patClient(stand, { retry: { retryAfterBaseValue: 1 } });
      await octokit.rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'success' });
      expect(stand.requests.map((r) => r.status)).toEqual([status, 201]);
      expect(stand.state.statuses).toHaveLength(1);
    });
  });

  describe('requests GitHub does not describe', () => {
    it('records an operation it does not serve and one GitHub does not have, and close() fails', async () => {
      const stand = await start();
      const octokit = patClient(stand);
      expect((await failure(octokit.request('GET /repos/{owner}/{repo}/issues', repo))).status).toBe(501);
      expect((await failure(octokit.request('GET /repos/{owner}/{repo}/check-suites/{id}/frobnicate', { ...repo, id: 1 }))).status).toBe(404);
      expect(stand.invalidRequests.map((r) => [r.kind, r.operationId])).toEqual([
        ['NotServed', 'issues/list-for-repo'],
        ['UnknownOperation', null],
      ]);
      gh = undefined;
      await expect(stand.close()).rejects.toThrow(/cannot answer faithfully/);
    });
  });

  it('serves GitHub Enterprise Server under /api/v3, checked against its description', async () => {
    const stand = await start({ pathPrefix: '/api/v3' });
    expect(stand.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
    const { data } = await patClient(stand).rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'failure' });
    expect(data.url).toBe(`${stand.url}/repos/${OWNER}/${REPO}/statuses/${SHA}`);
    expect(stand.requests[0]).toMatchObject({ path: `/repos/${OWNER}/${REPO}/statuses/${SHA}`, operationId: 'repos/create-commit-status' });
  });
});

describe('webhook deliveries', () => {
  it('are signed and shaped as GitHub sends them, with the fields rewritten', async () => {
    const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
    try {
      const pr = pullRequestEvent({ ...repo, action: 'closed', number: 9, head: { sha: SHA, ref: 'f' }, base: { sha: OTHER_SHA, ref: 'main' }, merged: true, mergeCommitSha: OTHER_SHA });
      const review = pullRequestReviewEvent({ ...repo, action: 'submitted', number: 9, head: { sha: SHA, ref: 'f' }, base: { sha: OTHER_SHA, ref: 'main' }, review: { user: 'carol', state: 'APPROVED', commitId: SHA } });
      const push = pushEvent({ ...repo, ref: 'refs/heads/main', before: OTHER_SHA, after: SHA });
      const reply = await deliverWebhook(url, 'pull_request', pr, { secret: 's3cret' });
      await deliverWebhook(url, 'pull_request_review', review, { secret: 's3cret' });
      await deliverWebhook(url, 'push', push, { secret: 's3cret' });
      expect(reply).toMatchObject({ status: 202, body: { ok: true } });

      const [first] = received;
      expect(await verify('s3cret', first!.body, String(first!.headers['x-hub-signature-256']))).toBe(true);
      expect(first!.headers).toMatchObject({ 'x-github-event': 'pull_request', 'x-github-delivery': reply.delivery, 'content-type': 'application/json' });
      expect(first!.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
      expect(first!.headers['x-github-hook-id']).toMatch(/^\d+$/);
      expect(JSON.parse(first!.body)).toMatchObject({
        action: 'closed',
        number: 9,
        repository: { full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } },
        pull_request: { number: 9, merged: true, merge_commit_sha: OTHER_SHA, head: { sha: SHA, ref: 'f' }, base: { sha: OTHER_SHA, ref: 'main' } },
      });
      expect(JSON.parse(received[1]!.body)).toMatchObject({ action: 'submitted', review: { user: { login: 'carol' }, state: 'approved', commit_id: SHA } });
      expect(JSON.parse(received[2]!.body)).toMatchObject({ ref: 'refs/heads/main', before: OTHER_SHA, after: SHA, repository: { full_name: `${OWNER}/${REPO}` } });
    } finally {
      server.close();
    }
  });
});
