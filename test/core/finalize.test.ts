import { describe, expect, it } from 'vitest';
import { finalize, type Finalized } from '../../controller/core/finalize.ts';
import type { ReconcileOutcome } from '../../controller/core/reconcile-outcome.ts';

const commit = 'c'.repeat(40);
const now = new Date('2026-11-28T10:00:00Z');
const delays = { waitingMs: 60_000, leaseHeldMs: 30_000 };
const run = (outcome: ReconcileOutcome, previous?: Finalized['status'], at = now): Finalized => finalize({ environment: 'dev', outcome, commit }, previous, at, delays);

/** One row an outcome: its conditions, requeue, event type, verdict kind and whether a CLI succeeds. */
type Row = [string, ReconcileOutcome, string[], Finalized['requeue'], 'Normal' | 'Warning', string, boolean];

describe('finalize: everything that follows from how a reconcile ended, in one table', () => {
  it.each<Row>([
    ['applied', { kind: 'Applied', applied: 3, drifted: [] }, ['Ready=True ReconciliationSucceeded'], { policy: 'settled' }, 'Normal', 'Clean', true],
    ['in step, with drift left alone', { kind: 'Applied', applied: 0, drifted: ['crm'] }, ['Ready=True ReconciliationSucceeded', 'Drifted=True DriftDetected'], { policy: 'settled' }, 'Normal', 'Clean', true],
    ['in step, with a certificate expiring soon', { kind: 'Applied', applied: 0, drifted: [], warnings: ['connection erp: expires soon'] }, ['Ready=True ReconciliationSucceeded', 'CertificatesExpiring=True CertificateExpiresSoon'], { policy: 'settled' }, 'Warning', 'Clean', true],
    ['planned, nothing to do', { kind: 'Planned', pending: 0, drifted: [] }, ['Ready=True ReconciliationSucceeded'], { policy: 'settled' }, 'Normal', 'Clean', true],
    ['planned, changes pending', { kind: 'Planned', pending: 4, drifted: [] }, ['Ready=False ChangesPending'], { policy: 'settled' }, 'Normal', 'Clean', true],
    ['suspended', { kind: 'Suspended' }, ['Ready=Unknown Suspended'], { policy: 'settled' }, 'Normal', 'Suspended', true],
    ['invalid manifests', { kind: 'ValidationFailed', message: 'm' }, ['Ready=False ValidationFailed', 'Stalled=True ValidationFailed'], { policy: 'needs-human' }, 'Warning', 'Failed', false],
    ['a generation failure', { kind: 'GenerationFailed', message: 'm' }, ['Ready=False GenerationFailed', 'Stalled=True GenerationFailed'], { policy: 'needs-human' }, 'Warning', 'Failed', false],
    ['a failed fetch', { kind: 'GitFetchFailed', message: 'm' }, ['Ready=False GitFetchFailed', 'Reconciling=True GitFetchFailed'], { policy: 'transient' }, 'Warning', 'Failed', false],
    ['a refused breaking change', { kind: 'Blocked', reason: 'BreakingChangeRefused', message: 'm' }, ['Ready=False BreakingChangeRefused', 'Stalled=True BreakingChangeRefused'], { policy: 'needs-human' }, 'Warning', 'Refused', false],
    ['awaiting approval', { kind: 'Waiting', reason: 'AwaitingApproval', message: 'm', pending: 2 }, ['Ready=False AwaitingApproval', 'AwaitingApproval=True AwaitingApproval'], { policy: 'waiting', afterMs: 60_000 }, 'Normal', 'Waiting', false],
    ['awaiting promotion', { kind: 'Waiting', reason: 'AwaitingPromotion', message: 'm', pending: 2 }, ['Ready=False AwaitingPromotion'], { policy: 'waiting', afterMs: 60_000 }, 'Normal', 'Waiting', false],
    ['manual apply', { kind: 'Waiting', reason: 'ManualApplyRequired', message: 'm', pending: 1 }, ['Ready=False ManualApplyRequired'], { policy: 'waiting', afterMs: 60_000 }, 'Normal', 'Waiting', false],
    ["another controller's lease", { kind: 'LeaseHeld', message: 'm' }, ['Ready=Unknown LeaseHeld', 'Reconciling=True LeaseHeld'], { policy: 'waiting', afterMs: 30_000 }, 'Warning', 'LeaseHeld', false],
    [
      'an unreachable environment',
      { kind: 'ApplyFailed', reason: 'EnvironmentUnavailable', message: 'm', retry: 'transient' },
      ['Ready=False EnvironmentUnavailable', 'Reconciling=True EnvironmentUnavailable'],
      { policy: 'transient' },
      'Warning',
      'Failed',
      false,
    ],
    [
      'an action refused',
      { kind: 'ApplyFailed', reason: 'PlainSecretRefused', message: 'm', retry: 'needs-human' },
      ['Ready=False PlainSecretRefused', 'Stalled=True PlainSecretRefused'],
      { policy: 'needs-human' },
      'Warning',
      'Failed',
      false,
    ],
  ])('%s', (_name, outcome, conditions, requeue, event, verdict, succeeded) => {
    const result = run(outcome);
    expect(result.status.conditions.map((c) => `${c.type}=${c.status} ${c.reason}`)).toEqual(conditions);
    expect(result.requeue).toEqual(requeue);
    expect(result.event.type).toBe(event);
    expect(result.event.reason).toBe(result.status.conditions[0]!.reason);
    expect(result.verdict.kind).toBe(verdict);
    expect(result.succeeded).toBe(succeeded);
    expect(result.ready).toBe(conditions[0]!.startsWith('Ready=True'));
    expect(result.status.outcome).toBe(outcome.kind);
  });

  it('keeps the transition time while a status stays the same, and records the commit', () => {
    const earlier = run({ kind: 'Applied', applied: 1, drifted: [] }, undefined, new Date('2026-11-01T00:00:00Z'));
    const again = run({ kind: 'Applied', applied: 0, drifted: [] }, earlier.status);
    expect(again.status.conditions[0]).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: 'in step with Git',
      observedCommit: commit,
      lastTransitionTime: '2026-11-01T00:00:00.000Z',
    });
    const failed = run({ kind: 'ValidationFailed', message: 'bad' }, again.status);
    expect(failed.status.conditions[0]!.lastTransitionTime).toBe(now.toISOString());
  });

  it('keeps the commit last seen, the last success, what is published and what was applied across a failed fetch', () => {
    const applied = finalize(
      {
        environment: 'dev',
        commit,
        outcome: { kind: 'Applied', applied: 1, drifted: [] },
        published: [{ integration: 'crm', version: 'v', artifactHash: 'h', commit }],
        lastApplied: { commit, at: 'x', actions: ['Publish crm (New)'] },
      },
      undefined,
      new Date('2026-11-01T00:00:00Z'),
      delays,
    );
    const failed = finalize({ environment: 'dev', commit: undefined, outcome: { kind: 'GitFetchFailed', message: 'down' } }, applied.status, now, delays);
    expect(failed.status).toEqual({
      environment: 'dev',
      conditions: failed.status.conditions,
      observedCommit: commit,
      lastReconcileTime: now.toISOString(),
      lastSuccessfulReconcileTime: '2026-11-01T00:00:00.000Z',
      outcome: 'GitFetchFailed',
      published: applied.status.published,
      lastApplied: applied.status.lastApplied,
    });
  });
});
