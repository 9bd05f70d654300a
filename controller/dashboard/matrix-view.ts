import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { ManifestSet } from '../core/manifest.ts';
import type { EnvironmentRecord } from './dashboard-store.ts';

/** Where an integration stands in one environment, as the matrix and the counts of the overview say it. */
export type CellState = 'inStep' | 'pending' | 'breaking' | 'drifted' | 'failing' | 'missing' | 'notTargeted';

export interface MatrixCell {
  state: CellState;
  version?: string;
  commit?: string;
  artifactHash?: string;
  /** Why it is not in step: the plan's reason, the drift, the failure. */
  reason?: string;
}

export interface MatrixRow {
  name: string;
  system: string;
  labels: Record<string, string>;
  cells: Record<string, MatrixCell>;
}

export interface MatrixQuery {
  q?: string;
  /** `key=value`, or a key alone. */
  label?: string;
  system?: string;
  status?: CellState;
  page?: number;
  pageSize?: number;
}

export interface MatrixPage {
  environments: string[];
  total: number;
  page: number;
  pageSize: number;
  rows: MatrixRow[];
}

/** What one environment says of the integrations: indexes built once per change, looked up per cell. */
export interface EnvironmentIndex {
  name: string;
  published: Map<string, EnvironmentStatus['published'][number]>;
  pending: Map<string, { reason: string; breaking: boolean }>;
  drifted: Map<string, string>;
  /** The reason every targeted integration is failing here (a stalled environment), if it is. */
  failing?: string;
}

/** The index of one environment from its status and last reconcile. */
export function indexEnvironment(name: string, status: EnvironmentStatus | undefined, record: EnvironmentRecord | undefined): EnvironmentIndex {
  const published = new Map((status?.published ?? []).map((p) => [p.integration, p]));
  const pending = new Map<string, { reason: string; breaking: boolean }>();
  const drifted = new Map<string, string>();
  const plan = record?.plan;
  for (const notice of plan?.notices ?? []) if (notice.type === 'Drifted' && notice.kind === 'Integration') drifted.set(notice.name, notice.message);
  if (plan && !record.applied) {
    for (const action of plan.actions) {
      if (action.type === 'Publish') {
        if (action.reason === 'Drifted') drifted.set(action.integration.name, 'changed outside Git; the plan puts it back');
        else pending.set(action.integration.name, { reason: action.reason, breaking: action.breaking });
      }
      if (action.type === 'Unpublish') pending.set(action.name, { reason: action.reason, breaking: false });
    }
  }
  const stalled = status?.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
  return { name, published, pending, drifted, ...(stalled ? { failing: `${stalled.reason}: ${stalled.message}` } : {}) };
}

/** One cell: precedence failing, drifted, breaking, pending, missing, in step. */
export function cellOf(index: EnvironmentIndex, integration: string, targeted: boolean): MatrixCell {
  const published = index.published.get(integration);
  const where = published ? { version: published.version, commit: published.commit, artifactHash: published.artifactHash } : {};
  if (!targeted && !published && !index.pending.has(integration)) return { state: 'notTargeted' };
  if (index.failing && targeted) return { state: 'failing', ...where, reason: index.failing };
  const drift = index.drifted.get(integration);
  if (drift) return { state: 'drifted', ...where, reason: drift };
  const pending = index.pending.get(integration);
  if (pending) return { state: pending.breaking ? 'breaking' : 'pending', ...where, reason: pending.reason };
  if (!published) return { state: 'missing', reason: 'not published' };
  return { state: 'inStep', ...where };
}

/** Every row of the matrix, unfiltered, in name order. */
export function matrixRows(set: ManifestSet | undefined, indexes: readonly EnvironmentIndex[]): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const names = new Set<string>();
  for (const object of set?.integrations ?? []) {
    const { metadata, spec } = object.manifest;
    names.add(metadata.name);
    const targets = new Set(spec.environments);
    const cells: Record<string, MatrixCell> = {};
    for (const index of indexes) cells[index.name] = cellOf(index, metadata.name, targets.has(index.name));
    rows.push({ name: metadata.name, system: spec.system, labels: { ...(metadata.labels ?? {}) } as Record<string, string>, cells });
  }
  // Published but no longer in Git: shown, so that what prune would remove is seen.
  for (const index of indexes) {
    for (const name of index.published.keys()) {
      if (names.has(name)) continue;
      names.add(name);
      const cells: Record<string, MatrixCell> = {};
      for (const other of indexes) cells[other.name] = cellOf(other, name, false);
      rows.push({ name, system: 'unknown', labels: {}, cells });
    }
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The rows a query selects, one page of them. Pure. */
export function queryMatrix(rows: readonly MatrixRow[], environments: string[], query: MatrixQuery): MatrixPage {
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), 500);
  const q = query.q?.trim().toLowerCase();
  const [labelKey, labelValue] = query.label ? splitLabel(query.label) : [undefined, undefined];
  const selected = rows.filter((row) => {
    if (q && !row.name.toLowerCase().includes(q)) return false;
    if (query.system && row.system !== query.system) return false;
    if (labelKey !== undefined) {
      const value = row.labels[labelKey];
      if (value === undefined || (labelValue !== undefined && value !== labelValue)) return false;
    }
    if (query.status && !Object.values(row.cells).some((c) => c.state === query.status)) return false;
    return true;
  });
  const pages = Math.max(1, Math.ceil(selected.length / pageSize));
  const page = Math.min(Math.max(query.page ?? 1, 1), pages);
  return { environments, total: selected.length, page, pageSize, rows: selected.slice((page - 1) * pageSize, page * pageSize) };
}

function splitLabel(label: string): [string, string | undefined] {
  const at = label.indexOf('=');
  return at < 0 ? [label.trim(), undefined] : [label.slice(0, at).trim(), label.slice(at + 1).trim()];
}
