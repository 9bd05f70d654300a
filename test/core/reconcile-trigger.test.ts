import { describe, expect, it } from 'vitest';
import { triggerOfReason, type ReconcileTrigger } from '../../controller/core/reconcile-trigger.ts';

describe('triggerOfReason', () => {
  it.each<[string, ReconcileTrigger]>([
    ['startup', { kind: 'startup' }],
    ['poll', { kind: 'poll' }],
    ['watch', { kind: 'watch' }],
    ['generic webhook', { kind: 'webhook', detail: 'generic webhook' }],
    ['push 3dda98b0f1e2', { kind: 'webhook', detail: 'push 3dda98b0f1e2' }],
    ['push', { kind: 'webhook', detail: 'push' }],
    ['pull_request_review submitted #12', { kind: 'webhook', detail: 'pull_request_review submitted #12' }],
    ['environment callback', { kind: 'callback', detail: 'environment callback' }],
    ['reconcile now (API)', { kind: 'api', detail: 'reconcile now (API)' }],
    ['promotion from test', { kind: 'promotion', detail: 'promotion from test' }],
    ['shard membership changed', { kind: 'rebalance', detail: 'shard membership changed' }],
    ['drift in dev', { kind: 'other', detail: 'drift in dev' }],
    ['toString', { kind: 'other', detail: 'toString' }],
  ])('%s', (reason, trigger) => {
    expect(triggerOfReason(reason)).toEqual(trigger);
  });
});
