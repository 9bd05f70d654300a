import { describe, expect, it } from 'vitest';
import { actionSentence, actionTarget, describeAction } from '../../controller/core/describe-action.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { connection, integration } from '../plan/builders.ts';

const publish = (extra: Partial<Extract<PlanAction, { type: 'Publish' }>> = {}): PlanAction => ({ id: 'p', type: 'Publish', integration: integration('crm'), reason: 'New', breaking: false, ...extra });

describe('describeAction', () => {
  const none = { breaking: false, destructive: false, forced: false, drifted: false };
  it.each<[string, PlanAction, ReturnType<typeof describeAction>, string]>([
    ['a new publish', publish(), { type: 'Publish', verb: 'publish', target: 'crm', why: 'new', ...none }, 'publish crm'],
    ['a breaking change', publish({ reason: 'Changed', breaking: true }), { type: 'Publish', verb: 'publish', target: 'crm', why: 'changed', ...none, breaking: true }, 'publish crm'],
    [
      'a republish forced by dependencies',
      publish({ reason: 'ForcedByDependency', forcedBy: ['integration-utils', 'secret-manager'] }),
      { type: 'Publish', verb: 'publish', target: 'crm', why: 'forced by integration-utils, secret-manager', ...none, forced: true },
      'publish crm',
    ],
    ['drift put back', publish({ reason: 'Drifted' }), { type: 'Publish', verb: 'publish', target: 'crm', why: 'drifted', ...none, drifted: true }, 'publish crm'],
    ['a prune', { id: 'u', type: 'Unpublish', name: 'old', reason: 'Pruned' }, { type: 'Unpublish', verb: 'unpublish', target: 'old', why: 'pruned', ...none, destructive: true }, 'unpublish old'],
    [
      'a connection',
      { id: 'c', type: 'UpsertConnection', connection: connection('erp'), reason: 'Changed' },
      { type: 'UpsertConnection', verb: 'upsert connection', target: 'erp', why: 'changed', ...none },
      'upsert connection erp',
    ],
    ['a connection removed', { id: 'd', type: 'DeleteConnection', name: 'erp', reason: 'Pruned' }, { type: 'DeleteConnection', verb: 'delete connection', target: 'erp', why: 'pruned', ...none, destructive: true }, 'delete connection erp'],
    [
      'a dependency installed',
      { id: 'x', type: 'UpdateDependency', name: 'integration-utils', to: '3.0.0', reason: 'Pinned' },
      { type: 'UpdateDependency', verb: 'update dependency', target: 'integration-utils', why: 'pinned', versions: { to: '3.0.0' }, ...none },
      'update integration-utils to 3.0.0',
    ],
    [
      'a dependency moved',
      { id: 'x', type: 'UpdateDependency', name: 'integration-utils', from: '2.4.0', to: '3.0.0', reason: 'Pinned' },
      { type: 'UpdateDependency', verb: 'update dependency', target: 'integration-utils', why: 'pinned', versions: { from: '2.4.0', to: '3.0.0' }, ...none },
      'update integration-utils to 3.0.0',
    ],
  ])('%s', (_name, action, description, sentence) => {
    expect(describeAction(action)).toEqual(description);
    expect(actionSentence(action)).toBe(sentence);
    expect(actionTarget(action)).toBe(description.target);
  });
});
