import { commitOf, type Handler } from './handler-context.ts';
import { commitStatus, pullRequest, review } from './resources.ts';
import { notFound, paginate, validationFailed } from './responses.ts';
import type { CommitState, StatusRecord } from './state.ts';

interface StatusBody {
  state: CommitState;
  target_url?: string | null;
  description?: string | null;
  context?: string;
}

/** GitHub refuses a description over 140 characters, which the description's schema does not say. */
const createStatus: Handler = (context) => {
  const body = context.body as unknown as StatusBody;
  if (typeof body.description === 'string' && body.description.length > 140) {
    return validationFailed(
      [{ resource: 'Status', field: 'description', code: 'custom', message: 'description is too long (maximum is 140 characters)' }],
      context.docs,
    );
  }
  const sha = (context.params.sha ?? '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    return { status: 422, body: { message: `No commit found for SHA: ${context.params.sha ?? ''}`, documentation_url: context.docs, status: '422' } };
  }
  const status: StatusRecord = {
    id: context.ids.status(),
    sha,
    state: body.state,
    context: body.context ?? 'default',
    description: body.description ?? null,
    target_url: body.target_url ?? null,
    created_at: context.now(),
    creator: context.actor,
  };
  context.state.statuses.push(status);
  return {
    status: 201,
    body: commitStatus(context.site, status),
    headers: { location: `${context.site.apiUrl}/repos/${context.site.owner}/${context.site.repo}/statuses/${sha}` },
  };
};

/** Every status of the commit, newest first, as GitHub lists them. */
const listStatuses: Handler = (context) => {
  const sha = commitOf(context.state, context.params.ref ?? '');
  const statuses = context.state.statuses.filter((status) => status.sha === sha).sort((a, b) => b.id - a.id);
  const page = paginate(statuses, context.url, context.query);
  return { status: 200, body: page.items.map((status) => commitStatus(context.site, status)), ...(page.link ? { headers: { link: page.link } } : {}) };
};

const getPull: Handler = (context) => {
  const pull = context.state.pulls[Number(context.params.pull_number)];
  if (!pull) return notFound(context.docs);
  return { status: 200, body: pullRequest(context.site, pull, 'full'), lastModified: pull.updated_at };
};

/** Reviews in the order they were submitted, paged. */
const listReviews: Handler = (context) => {
  const number = Number(context.params.pull_number);
  if (!context.state.pulls[number]) return notFound(context.docs);
  const reviews = context.state.reviews[number] ?? [];
  const page = paginate(reviews, context.url, context.query);
  return { status: 200, body: page.items.map((record) => review(context.site, number, record)), ...(page.link ? { headers: { link: page.link } } : {}) };
};

const listPullsOfCommit: Handler = (context) => {
  const sha = (context.params.commit_sha ?? '').toLowerCase();
  const numbers = context.state.associatedPulls[sha] ?? [];
  const pulls = numbers.map((number) => context.state.pulls[number]).filter((pull) => pull !== undefined);
  const page = paginate(pulls, context.url, context.query);
  return { status: 200, body: page.items.map((pull) => pullRequest(context.site, pull, 'simple')), ...(page.link ? { headers: { link: page.link } } : {}) };
};

export const commitAndPullHandlers: Record<string, Handler> = {
  'repos/create-commit-status': createStatus,
  'repos/list-commit-statuses-for-ref': listStatuses,
  'pulls/get': getPull,
  'pulls/list-reviews': listReviews,
  'repos/list-pull-requests-associated-with-commit': listPullsOfCommit,
};
