/** What the stand-in remembers between requests; tests read it through `gh.state`. */

export type CheckRunStatus = 'queued' | 'in_progress' | 'completed';
export type CommitState = 'error' | 'failure' | 'pending' | 'success';
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: CheckRunStatus;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  external_id: string;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, in order: GitHub appends the annotations of each update. */
  annotations: Annotation[];
  actions: unknown[];
  /** How many requests created or updated it: 1 after create. */
  writes: number;
}

export interface StatusRecord {
  id: number;
  sha: string;
  state: CommitState;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
  creator: string;
}

export interface PullRequestInput {
  number: number;
  head: { sha: string; ref: string };
  base: { sha: string; ref: string };
  user: string;
  state: 'open' | 'closed';
  merged?: boolean;
  mergeCommitSha?: string;
  title?: string;
  draft?: boolean;
}

export interface PullRequestRecord extends Required<Omit<PullRequestInput, 'mergeCommitSha'>> {
  id: number;
  mergeCommitSha: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReviewInput {
  user: string;
  state: ReviewState;
  commitId: string;
  body?: string;
}

export interface ReviewRecord extends Required<ReviewInput> {
  id: number;
  submitted_at: string;
}

export interface IssuedToken {
  token: string;
  expires_at: string;
}

export interface StandInState {
  checkRuns: CheckRunRecord[];
  statuses: StatusRecord[];
  pulls: Record<number, PullRequestRecord>;
  reviews: Record<number, ReviewRecord[]>;
  /** Pull request numbers per commit sha, as `GET /repos/{owner}/{repo}/commits/{sha}/pulls` lists them. */
  associatedPulls: Record<string, number[]>;
  installationTokens: IssuedToken[];
}

export function emptyState(): StandInState {
  return { checkRuns: [], statuses: [], pulls: {}, reviews: {}, associatedPulls: {}, installationTokens: [] };
}

/** Increasing ids per kind, far apart so an id of one kind is never mistaken for another's. */
export function idSequence(start: number): () => number {
  let next = start;
  return () => next++;
}
