import { describe, expect, it } from 'vitest';
import { dependenciesLeft, plan } from '../../controller/core/plan.ts';
import { gate } from '../../controller/core/gate.ts';
import { connection, desired, hash, integration, observed, policy, removedActions } from './builders.ts';

const summary = (p: ReturnType<typeof plan>): string[] =>
  p.actions.map((a) => {
    switch (a.type) {
      case 'UpdateDependency':
        return `UpdateDependency ${a.name} ${a.from ?? '-'} -> ${a.to}`;
      case 'UpsertConnection':
        return `UpsertConnection ${a.connection.name} ${a.reason}`;
      case 'Publish':
        return `Publish ${a.integration.name} ${a.reason}${a.forcedBy ? ` (${a.forcedBy.join(',')})` : ''}${a.breaking ? ' breaking' : ''}`;
      case 'Unpublish':
        return `Unpublish ${a.name}`;
      case 'DeleteConnection':
        return `DeleteConnection ${a.name}`;
    }
  });

describe('plan', () => {
  it.each([
    {
      name: 'an empty environment gets everything, in order: dependencies, connections, publishes',
      want: desired({ dependencies: { 'integration-utils': '2.4.0' }, connections: [connection('crm')], integrations: [integration('b'), integration('a')] }),
      have: observed(),
      policy: policy(),
      expected: ['UpdateDependency integration-utils - -> 2.4.0', 'UpsertConnection crm New', 'Publish a New', 'Publish b New'],
    },
    {
      name: 'nothing to do when the environment already matches',
      want: desired({ dependencies: { 'integration-utils': '2.4.0' }, connections: [connection('crm')], integrations: [integration('a')] }),
      have: observed({
        dependencies: { 'integration-utils': '2.4.0' },
        connections: [connection('crm')],
        integrations: [integration('a')],
        lastApplied: { integrations: { a: hash('a') }, connections: { crm: 'crm-fp' } },
      }),
      policy: policy(),
      expected: [],
    },
    {
      name: 'a changed artifact and a changed connection',
      want: desired({ connections: [connection('crm', 'fp2')], integrations: [integration('a', 'a2')] }),
      have: observed({ connections: [connection('crm', 'fp1')], integrations: [integration('a', 'a1')], lastApplied: { integrations: { a: hash('a1') }, connections: { crm: 'fp1' } } }),
      policy: policy(),
      expected: ['UpsertConnection crm Changed', 'Publish a Changed'],
    },
    {
      name: 'a major dependency update forces a republish of the integrations whose range it leaves',
      want: desired({
        dependencies: { 'integration-utils': '3.0.0' },
        integrations: [
          integration('a', 'a-for-3', { requires: { 'integration-utils': '^3.0.0' } }),
          integration('b', 'b', { requires: { 'common-shared-services': '^1.0.0' } }),
        ],
      }),
      have: observed({
        dependencies: { 'integration-utils': '2.4.0' },
        integrations: [integration('a', 'a-for-2'), integration('b', 'b', { requires: { 'common-shared-services': '^1.0.0' } })],
        lastApplied: { integrations: { a: hash('a-for-2'), b: hash('b') }, connections: {} },
      }),
      policy: policy(),
      expected: ['UpdateDependency integration-utils 2.4.0 -> 3.0.0', 'Publish a ForcedByDependency (integration-utils)'],
    },
    {
      name: 'drift is reported, not corrected, without self-heal',
      want: desired({ connections: [connection('crm', 'fp1')], integrations: [integration('a')] }),
      have: observed({ connections: [connection('crm', 'edited')], integrations: [], lastApplied: { integrations: { a: hash('a') }, connections: { crm: 'fp1' } } }),
      policy: policy(),
      expected: [],
    },
    {
      name: 'drift is corrected with self-heal',
      want: desired({ connections: [connection('crm', 'fp1')], integrations: [integration('a')] }),
      have: observed({ connections: [connection('crm', 'edited')], integrations: [], lastApplied: { integrations: { a: hash('a') }, connections: { crm: 'fp1' } } }),
      policy: policy({ selfHeal: true }),
      expected: ['UpsertConnection crm Drifted', 'Publish a Drifted'],
    },
    {
      name: 'what Git no longer names stays without prune',
      want: desired(),
      have: observed({ connections: [connection('old')], integrations: [integration('gone')] }),
      policy: policy(),
      expected: [],
    },
    {
      name: 'what Git no longer names goes with prune: unpublish first, connections last',
      want: desired(),
      have: observed({ connections: [connection('old')], integrations: [integration('gone')] }),
      policy: policy({ prune: true }),
      expected: ['Unpublish gone', 'DeleteConnection old'],
    },
    {
      name: 'a removed action is flagged breaking',
      want: desired({ integrations: [integration('a', 'a2', { catalog: { actions: [] } })] }),
      have: observed({ integrations: [integration('a', 'a1')], lastApplied: { integrations: { a: hash('a1') }, connections: {} } }),
      policy: policy(),
      expected: ['Publish a Changed breaking'],
    },
  ])('$name', ({ want, have, policy: p, expected }) => {
    const result = plan(want, have, p, removedActions);
    expect(summary(result)).toEqual(expected);
    expect(result.blocked).toBeUndefined();
  });

  it('reports drift and unpruned objects as notices', () => {
    const result = plan(
      desired({ integrations: [integration('a')] }),
      observed({ integrations: [integration('extra')], lastApplied: { integrations: { a: hash('a') }, connections: {} } }),
      policy(),
      removedActions,
    );
    expect(result.notices).toEqual([
      { type: 'Drifted', kind: 'Integration', name: 'a', message: 'unpublished outside Git' },
      { type: 'NotPruned', kind: 'Integration', name: 'extra', message: 'no longer in Git; stays published because policy.prune is false' },
    ]);
  });

  it('blocks a plan with a breaking change where policy refuses them, and says why', () => {
    const result = plan(
      desired({ integrations: [integration('a', 'a2', { catalog: { actions: [] } })] }),
      observed({ integrations: [integration('a', 'a1')], lastApplied: { integrations: { a: hash('a1') }, connections: {} } }),
      policy({ allowBreaking: false }),
      removedActions,
    );
    expect(result.blocked).toEqual({
      reason: 'BreakingChangeRefused',
      message: 'policy.allowBreaking is false and the plan breaks callers: a: removed action Geta',
    });
    expect(result.breakingChanges).toEqual({ a: ['removed action Geta'] });
  });

  it('says old and new of what a connection change moves: endpoint, auth type; only for connections it upserts', () => {
    const moved = { ...connection('crm', 'fp2'), authType: 'basic', parameters: { endpoint: 'https://crm.other.example' } };
    const before = { ...connection('crm', 'fp1'), parameters: { endpoint: 'https://u:p@crm.example.com/v2' } };
    const kept = connection('erp', 'fp3');
    const have = observed({ connections: [before, { ...kept, fingerprint: 'fp-by-hand' }], lastApplied: { integrations: {}, connections: { crm: 'fp1', erp: 'fp3' } } });
    const result = plan(desired({ connections: [moved, kept] }), have, policy(), removedActions);
    expect(result.connectionChanges).toEqual({
      crm: [
        { field: 'endpoint', from: 'https://crm.example.com/v2', to: 'https://crm.other.example' },
        { field: 'authType', from: 'none', to: 'basic' },
      ],
    });
    // Drift left alone (erp) is a notice, not a change the plan makes.
    expect(result.actions.map((a) => a.type)).toEqual(['UpsertConnection']);
  });

  it('gives every action an id that includes the log head, so ids never repeat across plans', () => {
    const want = desired({ integrations: [integration('a')] });
    const first = plan(want, observed({ logHead: 3 }), policy(), removedActions);
    const later = plan(want, observed({ logHead: 9 }), policy(), removedActions);
    expect(first.actions[0]!.id).toMatch(new RegExp(`^publish:a:none->${hash('a')}@3\\.[0-9a-f]{12}$`));
    expect(first.id).toMatch(/^3\.[0-9a-f]{12}$/);
    expect(later.actions[0]!.id).not.toBe(first.actions[0]!.id);
  });
});

describe('dependenciesLeft', () => {
  it.each([
    [{ 'integration-utils': '^2.0.0' }, { 'integration-utils': '2.9.1' }, []],
    [{ 'integration-utils': '^2.0.0' }, { 'integration-utils': '3.0.0' }, ['integration-utils']],
    [{ 'secret-manager': '^1.3.0' }, { 'secret-manager': '1.2.0' }, ['secret-manager']],
    [{ 'secret-manager': '^1.3.0' }, {}, []],
    [{}, { 'integration-utils': '3.0.0' }, []],
  ])('requires %j, installed %j -> %j', (requires, installed, expected) => {
    expect(dependenciesLeft(requires, installed)).toEqual(expected);
  });
});

describe('a prune larger than policy.maxPruneShare', () => {
  const four = observed({ integrations: ['a', 'b', 'c', 'd'].map((n) => integration(n)) });
  const keeping = (...names: string[]) => desired({ integrations: names.map((n) => integration(n)) });

  it.each([
    ['half of four, at a share of 0.5: allowed', keeping('a', 'b'), 0.5, undefined],
    ['one of four, at a share of 0: refused', keeping('a', 'b', 'c'), 0, 'the plan would unpublish 1 of the 4 published integrations (25%), more than policy.maxPruneShare 0 (0%) allows; if that is meant, raise spec.policy.maxPruneShare (1 allows any prune) in the same commit'],
    ['three of four, at a share of 0.5: refused', keeping('a'), 0.5, 'the plan would unpublish 3 of the 4 published integrations (75%), more than policy.maxPruneShare 0.5 (50%) allows; if that is meant, raise spec.policy.maxPruneShare (1 allows any prune) in the same commit'],
    ['all four, at a share of 1: allowed', keeping(), 1, undefined],
    ['all four, with no share given: allowed', keeping(), undefined, undefined],
  ])('%s', (_title, want, maxPruneShare, message) => {
    const result = plan(want, four, policy({ prune: true, ...(maxPruneShare === undefined ? {} : { maxPruneShare }) }), removedActions);
    expect(result.blocked).toEqual(message === undefined ? undefined : { reason: 'PruneRefused', message });
    expect(gate({ plan: result, policy: { autoApply: true, requiredApprovals: 0, approvers: [] }, trigger: 'automatic', approvals: [] })).toEqual(
      message === undefined ? { allowed: true, reason: 'Allowed' } : { allowed: false, reason: 'PruneRefused', message },
    );
  });

  it('is not asked when nothing is pruned, or prune is off', () => {
    expect(plan(keeping(), four, policy({ prune: false, maxPruneShare: 0 }), removedActions).blocked).toBeUndefined();
    expect(plan(keeping('a', 'b', 'c', 'd', 'e'), four, policy({ prune: true, maxPruneShare: 0 }), removedActions).blocked).toBeUndefined();
  });
});
