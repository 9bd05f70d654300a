import { describe, expect, it } from 'vitest';
import { countApprovals, type Review } from '../../controller/reporting/github/approvals.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
const pr = { number: 7, headSha: HEAD, author: 'alice' };
const review = (user: string, state: Review['state'], commitId = HEAD): Review => ({ user, state, commitId });

describe('countApprovals', () => {
  it.each<[string, Review[], readonly string[], string[], string[]]>([
    ['an approval of the head counts', [review('bob', 'APPROVED')], [], ['bob'], []],
    ['two reviewers', [review('bob', 'APPROVED'), review('carol', 'APPROVED')], [], ['bob', 'carol'], []],
    ['the same reviewer twice counts once', [review('bob', 'APPROVED'), review('BOB', 'APPROVED')], [], ['BOB'], []],
    ['an approval of an older commit is stale', [review('bob', 'APPROVED', OLD)], [], [], ['bob (stale: approved bbbbbbb, head is aaaaaaa)']],
    ['a dismissed review does not count', [review('bob', 'APPROVED'), review('bob', 'DISMISSED')], [], [], ['bob (dismissed)']],
    ['changes requested after approving withdraws it', [review('bob', 'APPROVED'), review('bob', 'CHANGES_REQUESTED')], [], [], []],
    ['approving after requesting changes counts', [review('bob', 'CHANGES_REQUESTED'), review('bob', 'APPROVED')], [], ['bob'], []],
    ['a comment does not undo an approval', [review('bob', 'APPROVED'), review('bob', 'COMMENTED')], [], ['bob'], []],
    ['the author does not approve their own change', [review('alice', 'APPROVED')], [], [], ['alice (the author)']],
    ['only the policy’s approvers count', [review('bob', 'APPROVED'), review('carol', 'APPROVED')], ['Carol'], ['carol'], ['bob (not in policy.approvers)']],
    ['a pending review is not submitted', [review('bob', 'PENDING')], [], [], []],
  ])('%s', (_name, reviews, approvers, counted, ignored) => {
    const summary = countApprovals(reviews, pr, { required: 2, approvers });
    expect(summary).toEqual({ required: 2, counted, ignored, approvers: [...approvers], pullRequest: 7 });
  });
});
