import { describe, expect, it } from 'vitest';
import type { EnvironmentStatus } from '../../controller/core/environment-status.ts';
import type { ReconcileOutcome } from '../../controller/core/reconcile-outcome.ts';
import type { Condition } from '../../controller/generated/manifests.ts';
import { eventsOfTransition } from '../../controller/notifications/events-of-transition.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function status(commit: string, ...conditions: Array<[Condition['type'], Condition['status'], string, string?]>): EnvironmentStatus {
  return {
    environment: 'prod',
    conditions: conditions.map(([type, s, reason, message]) => ({ type, status: s, reason, message: message ?? `${reason} message`, lastTransitionTime: '2026-12-01T00:00:00.000Z' })),
    observedCommit: commit,
    lastReconcileTime: '2026-12-02T00:00:00.000Z',
    outcome: 'Applied',
    published: [],
    lastApplied: { commit, at: '2026-12-02T00:00:00.000Z', actions: ['publish crm (Changed)'] },
  };
}

const ready = (commit: string) => status(commit, ['Ready', 'True', 'ReconciliationSucceeded', 'applied 1 action']);
const stalled = (commit: string, reason = 'ValidationFailed') => status(commit, ['Ready', 'False', reason], ['Stalled', 'True', reason]);
const awaiting = (commit: string) => status(commit, ['Ready', 'False', 'AwaitingApproval'], ['AwaitingApproval', 'True', 'AwaitingApproval', 'needs 2 approvals']);
const drifted = (commit: string, what = 'crm') => status(commit, ['Ready', 'True', 'ReconciliationSucceeded'], ['Drifted', 'True', 'DriftDetected', `changed outside Git: ${what}`]);

const applied = (n: number): ReconcileOutcome => ({ kind: 'Applied', applied: n, drifted: [] });
const blocked: ReconcileOutcome = { kind: 'Blocked', reason: 'BreakingChangeRefused', message: 'breaks callers' };
const waiting: ReconcileOutcome = { kind: 'Waiting', reason: 'AwaitingApproval', message: 'needs 2 approvals', pending: 1 };
const invalid: ReconcileOutcome = { kind: 'ValidationFailed', message: 'bad' };
const protectedEnv = { spec: { driver: 'embedded', policy: { requiredApprovals: 2 } } } as never;
const openEnv = { spec: { driver: 'embedded', policy: { requiredApprovals: 0 } } } as never;

describe('eventsOfTransition', () => {
  it.each<[string, EnvironmentStatus | undefined, EnvironmentStatus, ReconcileOutcome, unknown, Array<[string, string]>]>([
    ['Ready stays Ready: nothing', ready(A), ready(B), applied(0), openEnv, []],
    ['becoming Stalled', ready(A), stalled(A), invalid, openEnv, [['Stalled', 'ValidationFailed']]],
    ['Stalled on the first reconcile', undefined, stalled(A), invalid, undefined, [['Stalled', 'ValidationFailed']]],
    ['still Stalled at the same commit: nothing', stalled(A), stalled(A), invalid, openEnv, []],
    ['still Stalled at a new commit', stalled(A), stalled(B), invalid, openEnv, [['Stalled', 'ValidationFailed']]],
    ['Stalled for another reason', stalled(A), stalled(A, 'GenerationFailed'), { kind: 'GenerationFailed', message: 'x' }, openEnv, [['Stalled', 'GenerationFailed']]],
    ['a breaking change refused: that event alone', ready(A), stalled(B, 'BreakingChangeRefused'), blocked, protectedEnv, [['BreakingChangeRefused', 'BreakingChangeRefused']]],
    ['awaiting approval', ready(A), awaiting(B), waiting, protectedEnv, [['AwaitingApproval', 'AwaitingApproval']]],
    ['still awaiting approval of the same commit: nothing', awaiting(B), awaiting(B), waiting, protectedEnv, []],
    ['awaiting approval of a new commit', awaiting(A), awaiting(B), waiting, protectedEnv, [['AwaitingApproval', 'AwaitingApproval']]],
    ['drifted', ready(A), drifted(A), applied(0), openEnv, [['Drifted', 'DriftDetected']]],
    ['still drifted, the same objects: nothing', drifted(A), drifted(B), applied(0), openEnv, []],
    ['drifted, other objects', drifted(A), drifted(A, 'crm, erp'), applied(0), openEnv, [['Drifted', 'DriftDetected']]],
    ['applied to a protected environment', awaiting(A), ready(A), applied(3), protectedEnv, [['AppliedToProtected', 'ReconciliationSucceeded']]],
    ['nothing applied to a protected environment: nothing', ready(A), ready(A), applied(0), protectedEnv, []],
    ['applied to an environment without approvals: nothing', ready(A), ready(B), applied(3), openEnv, []],
  ])('%s', (_what, previous, next, outcome, manifest, expected) => {
    const events = eventsOfTransition({ previous, status: next, outcome, ...(manifest ? { manifest: manifest as never } : {}) });
    expect(events.map((e) => [e.kind, e.reason])).toEqual(expected);
  });

  it('carries the environment, commit, time, the applied actions and an id that is the same for the same news', () => {
    const [event] = eventsOfTransition({ previous: awaiting(A), status: ready(A), outcome: applied(1), manifest: protectedEnv });
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      kind: 'AppliedToProtected',
      environment: 'prod',
      severity: 'info',
      reason: 'ReconciliationSucceeded',
      message: 'applied 1 action',
      commit: A,
      at: '2026-12-02T00:00:00.000Z',
      actions: ['publish crm (Changed)'],
    });
    const again = eventsOfTransition({ previous: ready(B), status: stalled(A), outcome: invalid })[0]!;
    const same = eventsOfTransition({ previous: undefined, status: stalled(A), outcome: invalid })[0]!;
    const other = eventsOfTransition({ previous: undefined, status: stalled(B), outcome: invalid })[0]!;
    expect(again.id).toBe(same.id);
    expect(other.id).not.toBe(same.id);
  });
});
