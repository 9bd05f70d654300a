import { describe, expect, it } from 'vitest';
import type { ReconcileOutcome } from '../../controller/core/status.ts';
import { requeueFor, type Requeue } from '../../controller/core/requeue-policy.ts';

const delays = { waitingMs: 60_000, leaseHeldMs: 30_000 };

describe('requeueFor', () => {
  it.each<[string, ReconcileOutcome, Requeue]>([
    ['applied: settled', { kind: 'Applied', applied: 3, drifted: [] }, { policy: 'settled' }],
    ['in step: settled', { kind: 'Applied', applied: 0, drifted: ['crm'] }, { policy: 'settled' }],
    ['suspended: settled', { kind: 'Suspended' }, { policy: 'settled' }],
    ['invalid manifests need a human', { kind: 'ValidationFailed', message: 'x' }, { policy: 'needs-human' }],
    ['a generation failure needs a human', { kind: 'GenerationFailed', message: 'x' }, { policy: 'needs-human' }],
    ['a refused breaking change needs a human', { kind: 'Blocked', reason: 'BreakingChangeRefused', message: 'x' }, { policy: 'needs-human' }],
    ['awaiting approval waits', { kind: 'Waiting', reason: 'AwaitingApproval', message: 'x', pending: 2 }, { policy: 'waiting', afterMs: 60_000 }],
    ['awaiting promotion waits', { kind: 'Waiting', reason: 'AwaitingPromotion', message: 'x', pending: 2 }, { policy: 'waiting', afterMs: 60_000 }],
    ['manual apply waits', { kind: 'Waiting', reason: 'ManualApplyRequired', message: 'x', pending: 1 }, { policy: 'waiting', afterMs: 60_000 }],
    ["another controller's lease waits about a lease", { kind: 'LeaseHeld', message: 'x' }, { policy: 'waiting', afterMs: 30_000 }],
    ['a failed fetch is transient', { kind: 'GitFetchFailed', message: 'x' }, { policy: 'transient' }],
    ['an unreachable environment is transient', { kind: 'ApplyFailed', reason: 'EnvironmentUnavailable', message: 'x', transient: true }, { policy: 'transient' }],
    ['an action refused needs a human', { kind: 'ApplyFailed', reason: 'ActionRefused', message: 'x', transient: false }, { policy: 'needs-human' }],
    ['a driver this build lacks needs a human', { kind: 'ApplyFailed', reason: 'DriverNotAvailable', message: 'x', transient: false }, { policy: 'needs-human' }],
  ])('%s', (_name, outcome, requeue) => {
    expect(requeueFor(outcome, delays)).toEqual(requeue);
  });
});
