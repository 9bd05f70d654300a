import { describe, expect, it } from 'vitest';
import { environmentConditions, type ReconcileOutcome } from '../../controller/core/status.ts';

const commit = 'c'.repeat(40);
const now = new Date('2026-11-28T10:00:00Z');
const brief = (outcome: ReconcileOutcome): string[] =>
  environmentConditions(outcome, commit, now).map((c) => `${c.type}=${c.status} ${c.reason}`);

describe('environmentConditions', () => {
  it.each<[ReconcileOutcome, string[]]>([
    [{ kind: 'Applied', applied: 3, drifted: [] }, ['Ready=True ReconciliationSucceeded']],
    [{ kind: 'Applied', applied: 0, drifted: ['crm'] }, ['Ready=True ReconciliationSucceeded', 'Drifted=True DriftDetected']],
    [{ kind: 'ValidationFailed', message: 'm' }, ['Ready=False ValidationFailed', 'Stalled=True ValidationFailed']],
    [{ kind: 'GitFetchFailed', message: 'm' }, ['Ready=False GitFetchFailed', 'Reconciling=True GitFetchFailed']],
    [{ kind: 'Blocked', reason: 'BreakingChangeRefused', message: 'm' }, ['Ready=False BreakingChangeRefused', 'Stalled=True BreakingChangeRefused']],
    [{ kind: 'Waiting', reason: 'AwaitingApproval', message: 'm', pending: 2 }, ['Ready=False AwaitingApproval', 'AwaitingApproval=True AwaitingApproval']],
    [{ kind: 'Waiting', reason: 'AwaitingPromotion', message: 'm', pending: 2 }, ['Ready=False AwaitingPromotion']],
    [{ kind: 'ApplyFailed', reason: 'EnvironmentUnavailable', message: 'm', transient: true }, ['Ready=False EnvironmentUnavailable', 'Reconciling=True EnvironmentUnavailable']],
    [{ kind: 'ApplyFailed', reason: 'LeaseLost', message: 'm', transient: false }, ['Ready=False LeaseLost', 'Stalled=True LeaseLost']],
  ])('%j', (outcome, expected) => {
    expect(brief(outcome)).toEqual(expected);
  });

  it('keeps the transition time while a status stays the same, and records the commit', () => {
    const earlier = environmentConditions({ kind: 'Applied', applied: 1, drifted: [] }, commit, new Date('2026-11-01T00:00:00Z'));
    const again = environmentConditions({ kind: 'Applied', applied: 0, drifted: [] }, commit, now, earlier);
    expect(again[0]).toEqual({ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'in step with Git', observedCommit: commit, lastTransitionTime: '2026-11-01T00:00:00.000Z' });
    const failed = environmentConditions({ kind: 'ValidationFailed', message: 'bad' }, commit, now, again);
    expect(failed[0]!.lastTransitionTime).toBe(now.toISOString());
  });
});
