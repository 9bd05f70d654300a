import type { RateLimitBucket, Site } from './resources.ts';
import type { Reply } from './responses.ts';
import type { PullRequestRecord, StandInState } from './state.ts';

/** What an operation handler gets: the request, already validated against the description, and the stand-in. */
export interface HandlerContext {
  site: Site;
  state: StandInState;
  auth: 'token' | 'app';
  /** The login the request is made as: the PAT's user or the app's bot user. */
  actor: string;
  /** The request URL, absolute, as the client sent it. */
  url: URL;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  /** The operation's documentation URL, for error bodies. */
  docs: string;
  ids: { checkRun: () => number; status: () => number };
  rateLimit: RateLimitBucket;
  now: () => string;
}

export type Handler = (context: HandlerContext) => Reply;

/** The commit a ref names: a sha as it is, a branch known from a pull request as its head or base sha. */
export function commitOf(state: StandInState, ref: string): string {
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  const branch = ref.replace(/^refs\/heads\//, '').replace(/^heads\//, '');
  const pulls = Object.values(state.pulls).sort((a, b) => b.number - a.number);
  for (const pull of pulls) {
    if (pull.head.ref === branch) return pull.head.sha;
    if (pull.base.ref === branch) return pull.base.sha;
  }
  return ref;
}

/** Open pull requests whose head is the commit, as a check run's `pull_requests` lists them. */
export function openPullsWithHead(state: StandInState, sha: string): PullRequestRecord[] {
  return Object.values(state.pulls).filter((pull) => pull.state === 'open' && pull.head.sha === sha);
}

export function isRepository(context: HandlerContext): boolean {
  return context.params.owner?.toLowerCase() === context.site.owner.toLowerCase() && context.params.repo?.toLowerCase() === context.site.repo.toLowerCase();
}
