import type { CheckRunRecord, PullRequestRecord, ReviewRecord, StatusRecord } from './state.ts';

/**
 * GitHub-shaped bodies built from the examples in GitHub's own description (`components.examples`), so every field
 * the response schema requires is there with a realistic value; only what the stand-in tracks is rewritten.
 */

type Json = Record<string, unknown>;

export interface Site {
  owner: string;
  repo: string;
  /** The stand-in's API root (what `api.github.com` is on GitHub). */
  apiUrl: string;
  webUrl: string;
  appId: number;
  appSlug: string;
  installationId: number;
  examples: Record<string, unknown>;
  /** A stable id per login. */
  userId: (login: string) => number;
}

function example(site: Site, name: string): unknown {
  const found = site.examples[name] as { value?: unknown } | undefined;
  if (found?.value === undefined) throw new Error(`GitHub's description has no example ${name}`);
  return found.value;
}

/** The example with its URLs and repository names pointed at this stand-in's repository. */
function retarget<T>(site: Site, value: T): T {
  const text = JSON.stringify(value)
    .replaceAll('https://api.github.com', site.apiUrl)
    .replaceAll('https://github.com', site.webUrl)
    .replaceAll('octocat/Hello-World', `${site.owner}/${site.repo}`)
    .replaceAll('github/hello-world', `${site.owner}/${site.repo}`);
  return JSON.parse(text) as T;
}

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
}

/** A `simple-user`; logins ending in `[bot]` are of type Bot, as GitHub Apps' users are. */
export function user(site: Site, login: string): Json {
  const template = (example(site, 'status') as { creator: Json }).creator;
  const id = site.userId(login);
  const base = JSON.parse(JSON.stringify(template).replaceAll('/octocat', `/${encodeURIComponent(login)}`)) as Json;
  return { ...base, login, id, node_id: nodeId('User', id), type: login.endsWith('[bot]') ? 'Bot' : 'User', site_admin: false };
}

function organization(site: Site): Json {
  return { ...user(site, site.owner), type: 'Organization', node_id: nodeId('Organization', site.userId(site.owner)) };
}

/** The `integration` (GitHub App) the stand-in's installation belongs to. */
export function app(site: Site): Json {
  const template = (example(site, 'check-run') as { app: Json }).app;
  return {
    ...retarget(site, template),
    id: site.appId,
    slug: site.appSlug,
    node_id: nodeId('Integration', site.appId),
    owner: organization(site),
    name: site.appSlug,
    html_url: `${site.webUrl}/apps/${site.appSlug}`,
    permissions: { checks: 'write', statuses: 'write', pull_requests: 'read', metadata: 'read' },
    events: ['check_run', 'pull_request', 'pull_request_review', 'push'],
  };
}

export function checkRun(site: Site, run: CheckRunRecord, pulls: PullRequestRecord[]): Json {
  const template = retarget(site, example(site, 'check-run')) as Json;
  const url = `${site.apiUrl}/repos/${site.owner}/${site.repo}/check-runs/${run.id}`;
  return {
    ...template,
    id: run.id,
    node_id: nodeId('CheckRun', run.id),
    head_sha: run.head_sha,
    external_id: run.external_id,
    url,
    html_url: `${site.webUrl}/${site.owner}/${site.repo}/runs/${run.id}`,
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${url}/annotations` },
    name: run.name,
    check_suite: { id: run.id + 1_000_000 },
    app: app(site),
    pull_requests: pulls.map((pull) => ({
      url: `${site.apiUrl}/repos/${site.owner}/${site.repo}/pulls/${pull.number}`,
      id: pull.id,
      number: pull.number,
      head: { ref: pull.head.ref, sha: pull.head.sha, repo: minimalRepository(site) },
      base: { ref: pull.base.ref, sha: pull.base.sha, repo: minimalRepository(site) },
    })),
  };
}

function minimalRepository(site: Site): Json {
  return { id: site.userId(`${site.owner}/${site.repo}`), url: `${site.apiUrl}/repos/${site.owner}/${site.repo}`, name: site.repo };
}

export function annotation(site: Site, run: CheckRunRecord, index: number): Json {
  const a = run.annotations[index]!;
  return {
    path: a.path,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
    blob_href: `${site.webUrl}/${site.owner}/${site.repo}/blob/${run.head_sha}/${a.path}`,
  };
}

export function commitStatus(site: Site, status: StatusRecord): Json {
  const creator = user(site, status.creator);
  return {
    url: `${site.apiUrl}/repos/${site.owner}/${site.repo}/statuses/${status.sha}`,
    avatar_url: creator.avatar_url,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.target_url,
    context: status.context,
    created_at: status.created_at,
    updated_at: status.created_at,
    creator,
  };
}

function branch(site: Site, side: { ref: string; sha: string }, repository: Json): Json {
  return { label: `${site.owner}:${side.ref}`, ref: side.ref, sha: side.sha, user: organization(site), repo: repository };
}

/** A `pull-request` (`full`) or a `pull-request-simple` as lists of pull requests carry them. */
export function pullRequest(site: Site, pull: PullRequestRecord, shape: 'full' | 'simple'): Json {
  const template = retarget(site, shape === 'full' ? example(site, 'pull-request') : (example(site, 'pull-request-simple-items') as Json[])[0]) as Json;
  const repository = { ...(template.head as { repo: Json }).repo, id: site.userId(`${site.owner}/${site.repo}`), name: site.repo, full_name: `${site.owner}/${site.repo}`, owner: organization(site) };
  const api = `${site.apiUrl}/repos/${site.owner}/${site.repo}`;
  const html = `${site.webUrl}/${site.owner}/${site.repo}/pull/${pull.number}`;
  const merged = pull.merged;
  const closedAt = pull.state === 'closed' ? pull.updated_at : null;
  const common: Json = {
    ...template,
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.head.sha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: user(site, pull.user),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: closedAt,
    merged_at: merged ? closedAt : null,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branch(site, pull.head, repository),
    base: branch(site, pull.base, repository),
    _links: {
      self: { href: `${api}/pulls/${pull.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${pull.number}` },
      comments: { href: `${api}/issues/${pull.number}/comments` },
      review_comments: { href: `${api}/pulls/${pull.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pull.number}/commits` },
      statuses: { href: `${api}/statuses/${pull.head.sha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: pull.draft,
  };
  if (shape === 'simple') return common;
  return {
    ...common,
    merged,
    mergeable: pull.state === 'open' ? true : null,
    rebaseable: pull.state === 'open' ? true : null,
    mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
    merged_by: merged ? user(site, pull.user) : null,
  };
}

export function review(site: Site, pullNumber: number, record: ReviewRecord): Json {
  const template = retarget(site, (example(site, 'pull-request-review-items') as Json[])[0]) as Json;
  const pullUrl = `${site.apiUrl}/repos/${site.owner}/${site.repo}/pulls/${pullNumber}`;
  const html = `${site.webUrl}/${site.owner}/${site.repo}/pull/${pullNumber}#pullrequestreview-${record.id}`;
  return {
    ...template,
    id: record.id,
    node_id: nodeId('PullRequestReview', record.id),
    user: user(site, record.user),
    body: record.body,
    state: record.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    submitted_at: record.submitted_at,
    commit_id: record.commitId,
    author_association: 'MEMBER',
  };
}

export function installation(site: Site): Json {
  const template = retarget(site, example(site, 'installation')) as Json;
  return {
    ...template,
    id: site.installationId,
    account: organization(site),
    repository_selection: 'selected',
    access_tokens_url: `${site.apiUrl}/app/installations/${site.installationId}/access_tokens`,
    html_url: `${site.webUrl}/organizations/${site.owner}/settings/installations/${site.installationId}`,
    app_id: site.appId,
    app_slug: site.appSlug,
    target_id: site.userId(site.owner),
    target_type: 'Organization',
    permissions: { checks: 'write', statuses: 'write', pull_requests: 'read', metadata: 'read' },
    events: ['check_run', 'pull_request', 'pull_request_review', 'push'],
  };
}

export function installationToken(token: string, expiresAt: string, permissions: Json | undefined): Json {
  return { token, expires_at: expiresAt, permissions: permissions ?? { checks: 'write', statuses: 'write', pull_requests: 'read', metadata: 'read' }, repository_selection: 'selected' };
}

export interface RateLimitBucket {
  limit: number;
  remaining: number;
  /** Unix seconds. */
  reset: number;
}

export function rateLimitOverview(site: Site, core: RateLimitBucket): Json {
  const template = example(site, 'rate-limit-overview') as { resources: Record<string, Json> };
  const now = { limit: core.limit, used: core.limit - core.remaining, remaining: core.remaining, reset: core.reset };
  return { resources: { ...template.resources, core: now }, rate: now };
}
