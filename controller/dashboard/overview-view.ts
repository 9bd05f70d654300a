import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { ManifestSet } from '../core/manifest.ts';
import { promotionOrder } from '../core/promotion-order.ts';
import type { Condition } from '../generated/manifests.ts';
import type { DashboardStore } from './dashboard-store.ts';
import { indexEnvironment, matrixRows, type CellState, type EnvironmentIndex, type MatrixRow } from './matrix-view.ts';

export interface OverviewEnvironment {
  name: string;
  promotesFrom?: string;
  conditions: Condition[];
  outcome: string;
  observedCommit?: string;
  lastReconcileTime?: string;
  lastApplied?: { commit: string; at: string; actions: number };
  /** How long the last reconcile took, in milliseconds. */
  lastDurationMs?: number;
  counts: Record<CellState, number>;
}

export interface Overview {
  /** The newest commit of the tracked branch a reconcile looked at. */
  head?: string;
  integrations: number;
  environments: OverviewEnvironment[];
}

/** The matrix's rows and the environments' indexes at one version of the store, computed once. */
export interface Snapshot {
  version: number;
  order: string[];
  statuses: Map<string, EnvironmentStatus>;
  indexes: EnvironmentIndex[];
  rows: MatrixRow[];
  set?: ManifestSet;
}

/** The environments in promotion order: those of the manifests, then any other a status names. */
export function snapshotOf(store: DashboardStore): Snapshot {
  const set = store.manifests()?.set;
  const statuses = new Map(store.statuses().map((s) => [s.environment, s]));
  const order = promotionOrder(set?.environments ?? []).map((e) => e.manifest.metadata.name);
  for (const name of [...statuses.keys()].sort()) if (!order.includes(name)) order.push(name);
  const indexes = order.map((name) => indexEnvironment(name, statuses.get(name), store.environment(name)));
  return { version: store.version(), order, statuses, indexes, rows: matrixRows(set, indexes), ...(set ? { set } : {}) };
}

const EMPTY_COUNTS: Record<CellState, number> = { inStep: 0, pending: 0, breaking: 0, drifted: 0, failing: 0, missing: 0, notTargeted: 0 };

/** The Overview page: every environment with its conditions, commit, last apply and counts of integrations by state. */
export function overviewOf(snapshot: Snapshot, store: DashboardStore): Overview {
  const counts = new Map(snapshot.order.map((name) => [name, { ...EMPTY_COUNTS }]));
  for (const row of snapshot.rows) for (const [name, cell] of Object.entries(row.cells)) counts.get(name)![cell.state]++;
  const promotesFrom = new Map((snapshot.set?.environments ?? []).map((e) => [e.manifest.metadata.name, e.manifest.spec.promotesFrom]));
  const head = store.head();
  return {
    ...(head ? { head } : {}),
    integrations: snapshot.set?.integrations.length ?? 0,
    environments: snapshot.order.map((name) => {
      const status = snapshot.statuses.get(name);
      const record = store.environment(name);
      const from = promotesFrom.get(name);
      return {
        name,
        ...(from ? { promotesFrom: from } : {}),
        conditions: status?.conditions ?? [],
        outcome: status?.outcome ?? 'NotReconciled',
        ...(status?.observedCommit ? { observedCommit: status.observedCommit } : {}),
        ...(status?.lastReconcileTime ? { lastReconcileTime: status.lastReconcileTime } : {}),
        ...(status?.lastApplied ? { lastApplied: { commit: status.lastApplied.commit, at: status.lastApplied.at, actions: status.lastApplied.actions.length } } : {}),
        ...(record ? { lastDurationMs: record.durationMs } : {}),
        counts: counts.get(name)!,
      };
    }),
  };
}
