import { describe, expect, it } from 'vitest';
import type { EnvironmentStatus } from '../../controller/core/environment-status.ts';
import { cellOf, indexEnvironment, queryMatrix, type EnvironmentIndex, type MatrixRow } from '../../controller/dashboard/matrix-view.ts';

const published = { integration: 'crm', version: 'v1', artifactHash: 'sha256:1', commit: 'c1' };
const at = { version: 'v1', commit: 'c1', artifactHash: 'sha256:1' };

function index(parts: Partial<EnvironmentIndex> = {}): EnvironmentIndex {
  return { name: 'dev', published: new Map(), pending: new Map(), drifted: new Map(), ...parts };
}

describe('a cell of the matrix', () => {
  it.each([
    ['not targeted, not published', index(), false, { state: 'notTargeted' }],
    ['targeted, not published, nothing planned', index(), true, { state: 'missing', reason: 'not published' }],
    ['published, nothing pending', index({ published: new Map([['crm', published]]) }), true, { state: 'inStep', ...at }],
    ['a publish pending', index({ pending: new Map([['crm', { reason: 'New', breaking: false }]]) }), true, { state: 'pending', reason: 'New' }],
    ['a breaking publish pending', index({ published: new Map([['crm', published]]), pending: new Map([['crm', { reason: 'Changed', breaking: true }]]) }), true, { state: 'breaking', ...at, reason: 'Changed' }],
    ['drift wins over a pending publish', index({ pending: new Map([['crm', { reason: 'Changed', breaking: true }]]), drifted: new Map([['crm', 'changed outside Git']]) }), true, { state: 'drifted', reason: 'changed outside Git' }],
    ['a stalled environment fails every targeted integration', index({ published: new Map([['crm', published]]), failing: 'ValidationFailed: 3 problems' }), true, { state: 'failing', ...at, reason: 'ValidationFailed: 3 problems' }],
    ['published but no longer targeted, pruning pending', index({ published: new Map([['crm', published]]), pending: new Map([['crm', { reason: 'Pruned', breaking: false }]]) }), false, { state: 'pending', ...at, reason: 'Pruned' }],
  ])('%s', (_name, environment, targeted, expected) => {
    expect(cellOf(environment, 'crm', targeted)).toEqual(expected);
  });

  it('a stalled environment is indexed with its reason and message', () => {
    const status = {
      environment: 'dev',
      conditions: [{ type: 'Stalled', status: 'True', reason: 'ValidationFailed', message: '3 problems', lastTransitionTime: 't' }],
      lastReconcileTime: 't',
      outcome: 'ValidationFailed',
      published: [],
    } as EnvironmentStatus;
    expect(indexEnvironment('dev', status, undefined).failing).toBe('ValidationFailed: 3 problems');
  });
});

describe('a query of the matrix', () => {
  const row = (name: string, system: string, labels: Record<string, string>, state: MatrixRow['cells'][string]['state']): MatrixRow => ({ name, system, labels, cells: { dev: { state } } });
  const rows = [row('crm', 'openapi', { team: 'cx' }, 'inStep'), row('orders', 'odata', { team: 'otc', tier: 'gold' }, 'drifted'), row('orders-v2', 'odata', { team: 'otc' }, 'inStep')];
  const names = (query: Parameters<typeof queryMatrix>[2]) => queryMatrix(rows, ['dev'], query).rows.map((r) => r.name);

  it.each([
    [{}, ['crm', 'orders', 'orders-v2']],
    [{ q: 'ORDERS' }, ['orders', 'orders-v2']],
    [{ system: 'openapi' }, ['crm']],
    [{ label: 'team=otc' }, ['orders', 'orders-v2']],
    [{ label: 'tier' }, ['orders']],
    [{ label: ' team = cx ' }, ['crm']],
    [{ status: 'drifted' as const }, ['orders']],
    [{ pageSize: 2, page: 2 }, ['orders-v2']],
    [{ pageSize: 2, page: 99 }, ['orders-v2']],
  ])('%j', (query, expected) => {
    expect(names(query)).toEqual(expected);
  });

  it('says how many match, and which page it is', () => {
    expect(queryMatrix(rows, ['dev'], { q: 'orders', pageSize: 1, page: 2 })).toMatchObject({ total: 2, page: 2, pageSize: 1, environments: ['dev'] });
  });
});
