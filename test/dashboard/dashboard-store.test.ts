import { describe, expect, it } from 'vitest';
import type { EnvironmentStatus } from '../../controller/core/environment-status.ts';
import type { Plan } from '../../controller/core/plan.ts';
import { createDashboardStore, type DashboardEvent } from '../../controller/dashboard/dashboard-store.ts';
import type { ReconcileReport } from '../../controller/reconcilers/environment/reconcile-environment.ts';

const PLAN: Plan = { environment: 'dev', basedOn: 0, id: '0.x', actions: [], notices: [], breakingChanges: {} };

function status(reason: string, at: string): EnvironmentStatus {
  return { environment: 'dev', conditions: [{ type: 'Ready', status: reason === 'ReconciliationSucceeded' ? 'True' : 'False', reason, message: 'm', lastTransitionTime: 't' }], lastReconcileTime: at, outcome: 'Applied', published: [] };
}

describe("the dashboard's store", () => {
  it('tells its subscribers when a status changed, not when only the time of a reconcile did; a failed fetch keeps what the last reconcile found', () => {
    let current = status('ReconciliationSucceeded', '1');
    const store = createDashboardStore(() => [current]);
    const events: DashboardEvent[] = [];
    store.subscribe((event) => events.push(event));
    const loaded = { commit: 'c1', set: { integrations: [], connections: [], environments: [] }, problems: [], errors: [] };
    const extra = { durationMs: 5, at: 't' };
    store.record({ environment: 'dev', commit: 'c1', loaded, plan: PLAN, problems: [], outcome: { kind: 'Applied', applied: 0, drifted: [] } } as unknown as ReconcileReport, extra);
    current = status('ReconciliationSucceeded', '2');
    store.record({ environment: 'dev', commit: 'c1', loaded, plan: PLAN, problems: [], outcome: { kind: 'Applied', applied: 0, drifted: [] } } as unknown as ReconcileReport, extra);
    current = status('GitFetchFailed', '3');
    store.record({ environment: 'dev', problems: [], outcome: { kind: 'GitFetchFailed', message: 'unreachable' } }, extra);
    expect(events).toEqual([
      { environment: 'dev', ready: 'True', reason: 'ReconciliationSucceeded' },
      { environment: 'dev', ready: 'False', reason: 'GitFetchFailed' },
    ]);
    expect(store.environment('dev')).toMatchObject({ commit: 'c1', plan: PLAN, applied: true });
    expect([store.head(), store.version()]).toEqual(['c1', 3]);
  });
});
