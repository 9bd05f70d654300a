import { describe, expect, it } from 'vitest';
import { groupApplies } from '../../controller/cli/history/group-applies.ts';
import type { StatusCommit } from '../../controller/cli/history/read-status-history.ts';
import type { ReconcileTrigger } from '../../controller/core/reconcile-trigger.ts';
import type { AppliedAction } from '../../controller/environments/driver.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function entry(seq: number, commit: string, leaseToken: number, appliedAt: string): AppliedAction {
  return { seq, actionId: `id-${seq}`, type: 'Publish', target: `crm-${seq}`, leaseToken, commit, appliedAt, result: `hash-${seq}` };
}

/** A status commit reporting an apply of `actions` actions at `commit`, written at `at`. */
function reporting(commit: string, actions: number, at: string, trigger?: ReconcileTrigger): StatusCommit {
  return {
    commit: 'c'.repeat(40),
    at,
    observedCommit: commit,
    lastApplied: { commit, at, ...(trigger ? { trigger } : {}), actions: Array.from({ length: actions }, (_, i) => `Publish crm-${i} (New)`) },
  };
}

const LOG = [entry(1, A, 1, '2026-12-02T10:00:00.000Z'), entry(2, A, 1, '2026-12-02T10:00:01.000Z'), entry(3, B, 2, '2026-12-02T11:00:00.000Z')];

describe('groupApplies: the trigger of each apply', () => {
  it.each<[string, StatusCommit[], Array<[string, string | undefined]>]>([
    [
      'the trigger each status commit records, with its detail',
      [reporting(B, 1, '2026-12-02T11:00:02.000Z', { kind: 'promotion', detail: 'promotion from dev' }), reporting(A, 2, '2026-12-02T10:00:02.000Z', { kind: 'webhook', detail: 'push aaaaaaa' })],
      [['promotion', 'promotion from dev'], ['webhook', 'push aaaaaaa']],
    ],
    ['a kind without detail', [reporting(B, 1, '2026-12-02T11:00:02.000Z', { kind: 'poll' })], [['poll', undefined], ['manual', undefined]]],
    ['controller, when the status commit records no trigger', [reporting(A, 2, '2026-12-02T10:00:02.000Z')], [['manual', undefined], ['controller', undefined]]],
    ['manual, when a status commit written before the apply ended cannot report it', [reporting(A, 2, '2026-12-02T10:00:00.500Z', { kind: 'watch' })], [['manual', undefined], ['manual', undefined]]],
  ])('%s', (_name, statuses, expected) => {
    expect(groupApplies(LOG, statuses).map((a) => [a.trigger, a.triggerDetail])).toEqual(expected);
  });
});
