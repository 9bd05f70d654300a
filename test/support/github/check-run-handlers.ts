import { openPullsWithHead, commitOf, type Handler, type HandlerContext } from './handler-context.ts';
import { annotation, checkRun } from './resources.ts';
import { basicError, invalidRequest, notFound, paginate, type Reply } from './responses.ts';
import type { Annotation, CheckRunRecord, CheckRunStatus } from './state.ts';

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: CheckRunStatus;
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: Annotation[] };
  actions?: unknown[];
}

/** GitHub Apps only: a personal access token may read check runs but not write them. */
function refusePersonalToken(context: HandlerContext): Reply | undefined {
  if (context.auth === 'app') return undefined;
  return basicError(403, 'Resource not accessible by personal access token', context.docs);
}

/** Applies a create or update body to a check run the way GitHub does; a problem is answered as GitHub answers it. */
function apply(context: HandlerContext, run: CheckRunRecord, body: CheckRunBody): Reply | undefined {
  if (body.status === 'completed' && body.conclusion === undefined && run.conclusion === null) {
    return invalidRequest(['"conclusion" wasn\'t supplied.'], [{ resource: 'CheckRun', field: 'conclusion', code: 'missing_field' }], context.docs);
  }
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.details_url = body.details_url;
  if (body.external_id !== undefined) run.external_id = body.external_id;
  if (body.started_at !== undefined) run.started_at = body.started_at;
  if (body.status !== undefined) run.status = body.status;
  if (body.conclusion !== undefined) {
    // "Providing conclusion will automatically set the status parameter to completed."
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed') run.completed_at = body.completed_at ?? run.completed_at ?? context.now();
  if (body.output) {
    if (body.output.title !== undefined) run.output.title = body.output.title;
    if (body.output.summary !== undefined) run.output.summary = body.output.summary;
    if (body.output.text !== undefined) run.output.text = body.output.text;
    run.annotations.push(...(body.output.annotations ?? []));
  }
  if (body.actions !== undefined) run.actions = body.actions;
  run.writes += 1;
  return undefined;
}

function render(context: HandlerContext, run: CheckRunRecord) {
  return checkRun(context.site, run, openPullsWithHead(context.state, run.head_sha));
}

const create: Handler = (context) => {
  const refused = refusePersonalToken(context);
  if (refused) return refused;
  const body = context.body as CheckRunBody;
  const now = context.now();
  const run: CheckRunRecord = {
    id: context.ids.checkRun(),
    name: body.name ?? '',
    head_sha: (body.head_sha ?? '').toLowerCase(),
    status: 'queued',
    conclusion: null,
    started_at: now,
    completed_at: null,
    external_id: '',
    details_url: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    actions: [],
    writes: 0,
  };
  if (!/^[0-9a-f]{40}$/.test(run.head_sha)) {
    return { status: 422, body: { message: 'No commit found for SHA: ' + (body.head_sha ?? ''), documentation_url: context.docs, status: '422' } };
  }
  const problem = apply(context, run, body);
  if (problem) return problem;
  context.state.checkRuns.push(run);
  return { status: 201, body: render(context, run), headers: { location: `${context.site.apiUrl}/repos/${context.site.owner}/${context.site.repo}/check-runs/${run.id}` } };
};

function findRun(context: HandlerContext): CheckRunRecord | undefined {
  const id = Number(context.params.check_run_id);
  return context.state.checkRuns.find((run) => run.id === id);
}

const update: Handler = (context) => {
  const refused = refusePersonalToken(context);
  if (refused) return refused;
  const run = findRun(context);
  if (!run) return notFound(context.docs);
  const problem = apply(context, run, context.body as CheckRunBody);
  if (problem) return problem;
  return { status: 200, body: render(context, run) };
};

/** `filter=latest` (the default) keeps the most recent run of each name, as GitHub does. */
const listForRef: Handler = (context) => {
  const sha = commitOf(context.state, context.params.ref ?? '');
  const { check_name: name, status, filter = 'latest' } = context.query as { check_name?: string; status?: string; filter?: string };
  let runs = context.state.checkRuns.filter((run) => run.head_sha === sha);
  if (name !== undefined) runs = runs.filter((run) => run.name === name);
  if (status !== undefined) runs = runs.filter((run) => run.status === status);
  if (filter === 'latest') runs = runs.filter((run) => !runs.some((other) => other.name === run.name && other.id > run.id));
  runs = [...runs].sort((a, b) => b.id - a.id);
  const page = paginate(runs, context.url, context.query);
  return {
    status: 200,
    body: { total_count: runs.length, check_runs: page.items.map((run) => render(context, run)) },
    ...(page.link ? { headers: { link: page.link } } : {}),
  };
};

const listAnnotations: Handler = (context) => {
  const run = findRun(context);
  if (!run) return notFound(context.docs);
  const indexes = run.annotations.map((_annotation, index) => index);
  const page = paginate(indexes, context.url, context.query);
  return { status: 200, body: page.items.map((index) => annotation(context.site, run, index)), ...(page.link ? { headers: { link: page.link } } : {}) };
};

export const checkRunHandlers: Record<string, Handler> = {
  'checks/create': create,
  'checks/update': update,
  'checks/list-for-ref': listForRef,
  'checks/list-annotations': listAnnotations,
};
