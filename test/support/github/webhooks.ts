import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { sign } from '@octokit/webhooks-methods';

type Json = Record<string, unknown>;

/** GitHub's published example payloads (the package's main is their JSON file). */
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** A deep copy of a real payload of GitHub's published examples, the first that matches. */
export function webhookExample(event: string, match: (payload: Json) => boolean = () => true): Json {
  const definition = definitions.find((w) => w.name === event);
  const found = (definition?.examples as Json[] | undefined)?.find(match);
  if (!found) throw new Error(`@octokit/webhooks-examples has no example of ${event} that matches`);
  return structuredClone(found);
}

export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** The example's repository (and every URL naming it) moved to owner/repo. */
function inRepository(payload: Json, { owner, repo }: RepositoryRef): Json {
  const repository = (payload.repository as Json | undefined)?.full_name as string | undefined;
  const text = repository ? JSON.stringify(payload).replaceAll(repository, `${owner}/${repo}`) : JSON.stringify(payload);
  const moved = JSON.parse(text) as Json & { repository: Json & { owner: Json } };
  moved.repository.name = repo;
  moved.repository.full_name = `${owner}/${repo}`;
  moved.repository.owner.login = owner;
  if ('name' in moved.repository.owner) moved.repository.owner.name = owner;
  return moved;
}

export interface PullRequestEventInput extends RepositoryRef {
  action: 'opened' | 'synchronize' | 'reopened' | 'closed';
  number: number;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  /** Only for `closed`: whether the pull request was merged (GitHub sends `closed` with `merged: true`). */
  merged?: boolean;
  mergeCommitSha?: string;
  user?: string;
}

function retargetPull(pull: Json, input: { owner: string; number: number; head: { sha: string; ref: string }; base: { sha: string; ref: string }; user?: string }): void {
  pull.number = input.number;
  pull.url = String(pull.url).replace(/\/pulls\/\d+$/, `/pulls/${input.number}`);
  pull.html_url = String(pull.html_url).replace(/\/pull\/\d+$/, `/pull/${input.number}`);
  for (const side of ['head', 'base'] as const) {
    const branch = pull[side] as Json;
    branch.sha = input[side].sha;
    branch.ref = input[side].ref;
    branch.label = `${input.owner}:${input[side].ref}`;
  }
  if (input.user) (pull.user as Json).login = input.user;
}

/** A real `pull_request` payload with the fields a reconciler reads rewritten. */
export function pullRequestEvent(input: PullRequestEventInput): Json {
  const example = webhookExample('pull_request', (p) => p.action === input.action);
  const payload = inRepository(example, input);
  payload.number = input.number;
  const pull = payload.pull_request as Json;
  retargetPull(pull, input);
  pull.state = input.action === 'closed' ? 'closed' : 'open';
  const merged = input.action === 'closed' && input.merged === true;
  pull.merged = merged;
  const at = String(pull.updated_at);
  pull.closed_at = input.action === 'closed' ? at : null;
  pull.merged_at = merged ? at : null;
  pull.merge_commit_sha = input.mergeCommitSha ?? (merged ? pull.merge_commit_sha : null);
  pull.merged_by = merged ? payload.sender : null;
  return payload;
}

export interface PullRequestReviewEventInput extends RepositoryRef {
  action: 'submitted' | 'dismissed';
  number: number;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  review: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED'; commitId: string; id?: number };
}

/** A real `pull_request_review` payload; the review state is lowercase in webhooks (`approved`), as GitHub sends it. */
export function pullRequestReviewEvent(input: PullRequestReviewEventInput): Json {
  const example = webhookExample('pull_request_review', (p) => p.action === input.action);
  const payload = inRepository(example, input);
  retargetPull(payload.pull_request as Json, input);
  const review = payload.review as Json & { user: Json };
  review.user.login = input.review.user;
  review.state = input.review.state.toLowerCase();
  review.commit_id = input.review.commitId;
  if (input.review.id !== undefined) review.id = input.review.id;
  review.pull_request_url = String((payload.pull_request as Json).url);
  return payload;
}

export interface PushEventInput extends RepositoryRef {
  ref: string;
  before: string;
  after: string;
}

/** A real `push` payload (of a branch) with ref, before and after rewritten. */
export function pushEvent(input: PushEventInput): Json {
  const payload = inRepository(webhookExample('push', (p) => String(p.ref).startsWith('refs/heads/')), input);
  payload.ref = input.ref;
  payload.before = input.before;
  payload.after = input.after;
  const head = payload.head_commit as Json | null;
  if (head) head.id = input.after;
  payload.compare = `https://github.com/${input.owner}/${input.repo}/compare/${input.before.slice(0, 12)}...${input.after.slice(0, 12)}`;
  return payload;
}

export interface DeliverOptions {
  secret: string;
  delivery?: string;
  hookId?: number;
  /** `null` sends no signature; a string sends it instead of the right one. */
  signature?: string | null;
  /** Bytes to send instead of the payload's JSON (the signature stays that of the payload). */
  body?: string;
}

export interface Delivery {
  status: number;
  headers: Headers;
  /** The parsed JSON answer, or the text when it is not JSON. */
  body: unknown;
  delivery: string;
}

/**
 * POSTs a payload as GitHub's webhooks do: the JSON bytes signed with HMAC-SHA256 in `X-Hub-Signature-256`,
 * `X-GitHub-Event`, a uuid `X-GitHub-Delivery`, `X-GitHub-Hook-ID`, the hook's target headers and a
 * `GitHub-Hookshot` user agent.
 */
export async function deliverWebhook(url: string, event: string, payload: unknown, options: DeliverOptions): Promise<Delivery> {
  const json = JSON.stringify(payload);
  const delivery = options.delivery ?? randomUUID();
  const signature = options.signature === undefined ? await sign(options.secret, json) : options.signature;
  const hookId = String(options.hookId ?? 109948940);
  const repository = (payload as { repository?: { id?: number } } | null)?.repository;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      accept: '*/*',
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/044aadd',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-github-hook-id': hookId,
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': String(repository?.id ?? 0),
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body: options.body ?? json,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, delivery };
}
