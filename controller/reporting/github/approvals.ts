/**
 * Approvals of the pull request a commit came from: which reviews count for an environment's
 * `policy.requiredApprovals`. Counting is pure (countApprovals); reading the reviews is GitHub's.
 */
import type { ApprovalSummary } from './check-report.ts';
import { describeError, type GithubClient } from './github-client.ts';

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

export interface Review {
  user: string;
  state: ReviewState;
  /** The commit the review was made on. */
  commitId: string;
}

export interface PullRequestRef {
  number: number;
  /** The pull request's head commit: the last one pushed to it. */
  headSha: string;
  author: string;
  merged: boolean;
  baseRef: string;
  state: 'open' | 'closed';
}

export interface ApprovalPolicy {
  required: number;
  /** Users whose approvals count; empty: any reviewer but the author. */
  approvers: readonly string[];
}

/**
 * The approvals that count, as GitHub shows them on a pull request: each reviewer's latest review
 * that approves or requests changes (a comment does not undo an approval), counted only when it
 * is an approval of the pull request's head commit (an approval of an earlier commit is stale), not
 * dismissed, not by the author, and by a user the policy allows. Users compare case-insensitively,
 * as GitHub logins do. Pure.
 */
export function countApprovals(reviews: readonly Review[], pullRequest: Pick<PullRequestRef, 'number' | 'headSha' | 'author'>, policy: ApprovalPolicy): ApprovalSummary {
  const latest = new Map<string, Review>();
  for (const review of reviews) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.user.toLowerCase(), review);
  }
  const allowed = new Set(policy.approvers.map((a) => a.toLowerCase()));
  const counted: string[] = [];
  const ignored: string[] = [];
  for (const [login, review] of latest) {
    if (review.state === 'DISMISSED') {
      ignored.push(`${review.user} (dismissed)`);
      continue;
    }
    if (review.state !== 'APPROVED') continue;
    if (review.commitId !== pullRequest.headSha) {
      ignored.push(`${review.user} (stale: approved ${review.commitId.slice(0, 7)}, head is ${pullRequest.headSha.slice(0, 7)})`);
    } else if (login === pullRequest.author.toLowerCase()) {
      ignored.push(`${review.user} (the author)`);
    } else if (allowed.size > 0 && !allowed.has(login)) {
      ignored.push(`${review.user} (not in policy.approvers)`);
    } else {
      counted.push(review.user);
    }
  }
  counted.sort();
  ignored.sort();
  return { required: policy.required, counted, ignored, approvers: [...policy.approvers], pullRequest: pullRequest.number };
}

/**
 * The pull request a commit of the tracked branch came from: the merged one whose merge commit it
 * is (merge, squash or rebase), else one whose head it is. Undefined for a commit pushed directly.
 */
export async function pullRequestOfCommit(client: GithubClient, sha: string): Promise<PullRequestRef | undefined> {
  try {
    const octokit = await client.octokit();
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: client.owner, repo: client.repo, commit_sha: sha, per_page: 100 });
    const found = data.find((pr) => pr.merged_at && pr.merge_commit_sha === sha) ?? data.find((pr) => pr.head.sha === sha) ?? data.find((pr) => pr.merged_at);
    if (!found) return undefined;
    return {
      number: found.number,
      headSha: found.head.sha,
      author: found.user?.login ?? '',
      merged: Boolean(found.merged_at),
      baseRef: found.base.ref,
      state: found.state === 'open' ? 'open' : 'closed',
    };
  } catch (error) {
    throw describeError(error);
  }
}

/** A pull request as it is now. */
export async function getPullRequest(client: GithubClient, number: number): Promise<PullRequestRef> {
  try {
    const octokit = await client.octokit();
    const { data } = await octokit.rest.pulls.get({ owner: client.owner, repo: client.repo, pull_number: number });
    return {
      number,
      headSha: data.head.sha,
      author: data.user.login,
      merged: data.merged,
      baseRef: data.base.ref,
      state: data.state === 'open' ? 'open' : 'closed',
    };
  } catch (error) {
    throw describeError(error);
  }
}

/** Every review of a pull request, oldest first (all pages). */
export async function reviewsOf(client: GithubClient, number: number): Promise<Review[]> {
  try {
    const octokit = await client.octokit();
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: client.owner, repo: client.repo, pull_number: number, per_page: 100 });
    return reviews.map((r) => ({ user: r.user?.login ?? '', state: r.state as ReviewState, commitId: r.commit_id ?? '' }));
  } catch (error) {
    throw describeError(error);
  }
}
