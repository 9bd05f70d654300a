/**
 * A repository on "GitHub" for the pull-request tests: a bare Git remote that publishes pull
 * requests as `refs/pull/<n>/head` (as GitHub does), the GitHub API stand-in that knows the same
 * pull requests, and the real controller (startController) between them, reached by signed webhooks.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import type { EntitySelection, EnvironmentPolicy } from '../../../controller/generated/manifests.ts';
import { readControllerConfig } from '../../../controller/config/read-config.ts';
import { startController, type RunningController } from '../../../controller/process/start-controller.ts';
import { createGitSource } from '../../../controller/source/create-git-source.ts';
import { createStatusWriter } from '../../../controller/reporting/status-branch/create-status-writer.ts';
import { captureLogs } from '../../runtime/support/capture-logs.ts';
import { createRemoteAndClone, writeFiles } from '../../runtime/support/fixture-repo.ts';
import { copyCrmSpec, crmConnection, crmIntegration as crm } from '../../support/crm.ts';
import { startGithubStandIn, type GithubStandIn } from '../../support/github/github-stand-in.ts';
import type { CheckRunRecord } from '../../support/github/state.ts';
import { deliverWebhook, pullRequestEvent, pullRequestReviewEvent, pushEvent } from '../../support/github/webhooks.ts';
import { environment as environmentManifest, PINS, toYaml } from '../../support/manifests.ts';

export const OWNER = 'acme';
export const REPO = 'integrations';
const SECRET = 'pull request webhook secret';

/** crm in dev and prod; dev applies anything, prod needs two approvals and refuses breaking changes. */
export function baseFiles(): Record<string, string> {
  return {
    'integrations/crm.yaml': crmIntegration(['Get', 'Search', 'Count']),
    'connections/crm.yaml': toYaml(crmConnection({ dev: { env: 'CRM_DEV_API_KEY' }, prod: { env: 'CRM_API_KEY' } }, { prod: 'https://crm.example.com/v2' })),
    'environments/dev.yaml': environment('dev', { requiredApprovals: 0, allowBreaking: true }),
    'environments/prod.yaml': environment('prod', { requiredApprovals: 2, allowBreaking: false }),
    'README.md': '# integrations\n',
  };
}

/** The crm integration, in dev and prod, with these operations of its customers. */
export function crmIntegration(operations: EntitySelection['operations']): string {
  return toYaml(crm({ operations, environments: ['dev', 'prod'] }));
}

/** An embedded environment that applies automatically, prunes and self-heals, refuses plain secrets; `policy` adds to that. */
export function environment(name: string, policy: EnvironmentPolicy, dependencies = PINS): string {
  return toYaml(
    environmentManifest({
      name,
      path: `${name}.sqlite`,
      policy: { autoApply: true, ...policy, prune: true, selfHeal: true, plainSecrets: false },
      dependencies,
    }),
  );
}

export interface World {
  gh: GithubStandIn;
  running: RunningController;
  logs: ReturnType<typeof captureLogs>;
  /** The tracked branch's commit the world started at. */
  main: string;
  /**
   * Commits files on a branch off main and publishes it as pull request `number`; returns its
   * head. Announces it (a signed `pull_request` webhook, `opened`) unless `announce` is false:
   * a bench that times the delivery sends it with `announce` itself.
   */
  openPullRequest(number: number, files: Record<string, string>, options?: { author?: string; branch?: string; announce?: boolean }): Promise<string>;
  /** Pushes another commit to a pull request's branch; returns the new head. */
  pushToPullRequest(number: number, files: Record<string, string>): Promise<string>;
  /** Merges a pull request into main with a merge commit, pushes main and tells "GitHub"; returns the merge commit. */
  merge(number: number): Promise<string>;
  /** A review as GitHub records it, announced by a signed `pull_request_review` webhook. */
  review(number: number, user: string, state: 'APPROVED' | 'CHANGES_REQUESTED', commitId?: string): Promise<void>;
  /** Sends a signed `pull_request` webhook. */
  announce(number: number, action: 'opened' | 'synchronize' | 'reopened'): Promise<number>;
  /** Waits until the controller's queue is idle. */
  settle(): Promise<void>;
  /** The newest check run of a name on a commit. */
  checkRun(sha: string, name: string): CheckRunRecord | undefined;
  close(): Promise<void>;
}

interface PullState {
  branch: string;
  head: string;
  author: string;
}

/** Builds the world: the repository on main with baseFiles (and `files`), the stand-in, and the controller started and settled. */
export async function createWorld(options: { files?: Record<string, string>; auth?: 'app' | 'token'; env?: Record<string, string>; githubWriteIntervalMs?: number } = {}): Promise<World> {
  const work = await mkdtemp(join(tmpdir(), 'intctl-pr-'));
  const { remote, clone, git } = await createRemoteAndClone(work);
  copyCrmSpec(clone);
  await writeFiles(clone, { ...baseFiles(), ...options.files });
  // prod is applied once before it is protected: a protected environment starts from somewhere.
  await writeFiles(clone, { 'environments/prod.yaml': environment('prod', { requiredApprovals: 0, allowBreaking: false }) });
  await commitAndPush(git, 'manifests', 'main');

  const auth = options.auth ?? 'app';
  const gh = await startGithubStandIn({ owner: OWNER, repo: REPO, auth });
  const keyFile = join(work, 'app.pem');
  await writeFile(keyFile, gh.appPrivateKeyPem);
  const tokenFile = join(work, 'token');
  await writeFile(tokenFile, `${gh.token}\n`);
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    INTCTL_GIT_URL: remote,
    INTCTL_STATE_DIR: join(work, 'state'),
    INTCTL_POLL_SCHEDULE: 'off',
    INTCTL_LISTEN_HOST: '127.0.0.1',
    INTCTL_LISTEN_PORT: '0',
    INTCTL_WEBHOOK_SECRET: SECRET,
    INTCTL_GITHUB_API_URL: gh.url,
    INTCTL_GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    INTCTL_REQUEUE_WAITING_MS: '3600000',
    INTCTL_LOG_LEVEL: 'debug',
    ...(auth === 'app' ? { INTCTL_GITHUB_APP_ID: String(gh.appId), INTCTL_GITHUB_APP_PRIVATE_KEY_FILE: keyFile } : { INTCTL_GITHUB_TOKEN_FILE: tokenFile }),
    ...options.env,
  };
  const config = await readControllerConfig({ env, cwd: work });
  const logs = captureLogs();
  // GitHub asks for a second between writes; the stand-in needs 25 ms, the same waits scaled down.
  const running = await startController(config, { createGitSource, createStatusWriter, logDestination: logs.destination, githubWriteIntervalMs: options.githubWriteIntervalMs ?? 25 });
  await running.controller.queue.idle();
  await writeFiles(clone, { 'environments/prod.yaml': baseFiles()['environments/prod.yaml']! });
  const main = await commitAndPush(git, 'protect prod', 'main');
  running.controller.enqueueAll('test: prod protected');
  await running.controller.queue.idle();
  const unapplied = running.controller.statuses().filter((s) => s.observedCommit !== main || s.outcome !== 'Applied');
  if (unapplied.length > 0) throw new Error(`the world did not start applied: ${JSON.stringify(unapplied)}`);

  const pulls = new Map<number, PullState>();
  const webhook = `${running.url}/webhooks/github`;
  const repository = { owner: OWNER, repo: REPO };

  const world: World = {
    gh,
    running,
    logs,
    main,
    async openPullRequest(number, files, pullOptions = {}) {
      const branch = pullOptions.branch ?? `change-${number}`;
      await git.checkout(['-B', branch, 'main']);
      await writeFiles(clone, files);
      const head = await commitAndPush(git, `change ${number}`, `${branch}:refs/pull/${number}/head`);
      await git.push('origin', `${branch}:refs/heads/${branch}`);
      await git.checkout('main');
      const author = pullOptions.author ?? 'alice';
      pulls.set(number, { branch, head, author });
      gh.addPullRequest({ number, head: { sha: head, ref: branch }, base: { sha: main, ref: 'main' }, user: author, state: 'open' });
      gh.associateCommit(head, number);
      if (pullOptions.announce !== false) await world.announce(number, 'opened');
      return head;
    },
    async pushToPullRequest(number, files) {
      const pull = pulls.get(number)!;
      await git.checkout(pull.branch);
      await writeFiles(clone, files);
      const head = await commitAndPush(git, `more of ${number}`, `${pull.branch}:refs/pull/${number}/head`);
      await git.push('origin', `${pull.branch}:refs/heads/${pull.branch}`);
      await git.checkout('main');
      pull.head = head;
      const record = gh.state.pulls[number]!;
      record.head = { ...record.head, sha: head };
      gh.associateCommit(head, number);
      await world.announce(number, 'synchronize');
      return head;
    },
    async merge(number) {
      const pull = pulls.get(number)!;
      await git.checkout('main');
      const before = (await git.revparse(['HEAD'])).trim();
      await git.merge(['--no-ff', '-m', `Merge pull request #${number}`, pull.branch]);
      await git.push('origin', 'main');
      const sha = (await git.revparse(['HEAD'])).trim();
      const record = gh.state.pulls[number]!;
      Object.assign(record, { state: 'closed', merged: true, mergeCommitSha: sha });
      gh.associateCommit(sha, number);
      await deliverWebhook(webhook, 'pull_request', pullRequestEvent({ ...repository, action: 'closed', number, merged: true, mergeCommitSha: sha, head: { sha: pull.head, ref: pull.branch }, base: { sha: before, ref: 'main' } }), { secret: SECRET });
      const reply = await deliverWebhook(webhook, 'push', pushEvent({ ...repository, ref: 'refs/heads/main', before, after: sha }), { secret: SECRET });
      if (reply.status !== 202) throw new Error(`push webhook answered ${reply.status}`);
      return sha;
    },
    async review(number, user, state, commitId) {
      const pull = pulls.get(number)!;
      const record = gh.addReview(number, { user, state, commitId: commitId ?? pull.head });
      const payload = pullRequestReviewEvent({ ...repository, action: 'submitted', number, head: { sha: pull.head, ref: pull.branch }, base: { sha: main, ref: 'main' }, review: { user, state, commitId: record.commitId, id: record.id } });
      const merged = gh.state.pulls[number]!.merged;
      const pullPayload = payload.pull_request as Record<string, unknown>;
      pullPayload.merged_at = merged ? new Date().toISOString() : null;
      pullPayload.state = merged ? 'closed' : 'open';
      const reply = await deliverWebhook(webhook, 'pull_request_review', payload, { secret: SECRET });
      if (reply.status !== 202) throw new Error(`review webhook answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    },
    async announce(number, action) {
      const pull = pulls.get(number)!;
      const reply = await deliverWebhook(webhook, 'pull_request', pullRequestEvent({ ...repository, action, number, head: { sha: pull.head, ref: pull.branch }, base: { sha: main, ref: 'main' } }), { secret: SECRET });
      return reply.status;
    },
    settle: () => running.controller.queue.idle(),
    checkRun(sha, name) {
      const runs = gh.state.checkRuns.filter((r) => r.head_sha === sha && r.name === name);
      return runs[runs.length - 1];
    },
    async close() {
      await running.stop();
      await gh.close();
      await rm(work, { recursive: true, force: true });
    },
  };
  return world;
}

async function commitAndPush(git: SimpleGit, message: string, refspec: string): Promise<string> {
  await git.add(['-A']);
  await git.commit(message);
  await git.push('origin', refspec);
  return (await git.revparse(['HEAD'])).trim();
}
