import { describe, expect, it } from 'vitest';
import { deadline } from '../support/time.ts';
import { measureBudget } from './support/api-budget.ts';

describe('GitHub API budget', () => {
  it('costs as many requests for a commit of 40 integrations as for one of 4, in 3 environments', async () => {
    const small = await measureBudget(4);
    const large = await measureBudget(40);
    expect(large.pullRequest).toBe(small.pullRequest);
    expect(large.push).toBe(small.push);
    expect(large.byOperation).toEqual(small.byOperation);
    // Per environment: a check run started and finished on the pull request's head, and one
    // created on the merge commit; the rest is reading the pull request, its reviews and its
    // approvals, and the App's installation token.
    expect(small.byOperation['checks/create']).toBe(3 + 3);
    expect(small.pullRequest).toBeLessThanOrEqual(3 * 2 + 4);
    expect(small.push).toBeLessThanOrEqual(3 * 2 + 4);
  }, deadline(120_000));
});
