import { shortCommit } from '../../reporting/format-plan.ts';
import type { LineStyle } from '../color.ts';
import type { EnvironmentView, StatusView } from './status-view.ts';

const COLUMNS = ['ENVIRONMENT', 'FROM', 'READY', 'REASON', 'COMMIT', 'PENDING', 'MESSAGE'] as const;

/**
 * The status as people read it, as `flux get all` prints it: a line saying where it comes from,
 * then one row per environment in promotion order. COMMIT is the commit the environment is at,
 * with `-> <head>` when the repository wants another; PENDING counts the actions applying would
 * run, and the breaking and destructive ones among them; MESSAGE says why it is not Ready.
 */
export function renderStatus(view: StatusView): string {
  const source = view.source === 'repository' ? `Repository ${view.from} at ${shortCommit(view.head ?? 'unknown')}` : `Controller ${view.from}${view.head !== undefined ? ` at ${shortCommit(view.head)}` : ''}`;
  if (view.environments.length === 0) return `${source}: no environments.\n`;
  const rows = view.environments.map(rowOf(view));
  const widths = COLUMNS.map((c, i) => (i === COLUMNS.length - 1 ? 0 : Math.max(c.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${source}\n\n${[line(COLUMNS), ...rows.map(line)].join('\n')}\n`;
}

/** The colour of a status line: an environment that would apply breaking or destructive actions. */
export function statusLineStyle(view: StatusView): (line: string, index: number) => LineStyle | undefined {
  return (_line, index) => {
    const environment = view.environments[index - 3];
    if (!environment?.pending) return undefined;
    if (environment.pending.breaking > 0) return 'breaking';
    return environment.pending.destructive > 0 ? 'destructive' : undefined;
  };
}

function rowOf(view: StatusView): (environment: EnvironmentView) => string[] {
  return (e) => {
    const ready = e.conditions.find((c) => c.type === 'Ready');
    const others = e.conditions.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => c.type);
    const reason = [ready?.reason ?? '-', ...others.filter((type) => type !== ready?.reason)].join(', ');
    const at = e.observedCommit === undefined ? 'none' : shortCommit(e.observedCommit);
    const commit = view.head !== undefined && e.observedCommit !== view.head ? `${at} -> ${shortCommit(view.head)}` : at;
    return [e.name, e.promotesFrom ?? '-', ready?.status ?? 'Unknown', reason, commit, pendingOf(e), messageOf(e)];
  };
}

function pendingOf(e: EnvironmentView): string {
  if (!e.pending) return '-';
  const marks = [e.pending.breaking > 0 ? `${e.pending.breaking} breaking` : '', e.pending.destructive > 0 ? `${e.pending.destructive} destructive` : ''].filter((m) => m !== '');
  return marks.length === 0 ? String(e.pending.actions) : `${e.pending.actions} (${marks.join(', ')})`;
}

function messageOf(e: EnvironmentView): string {
  const ready = e.conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return e.lastReconcileTime !== undefined ? `reconciled ${e.lastReconcileTime}` : '';
  return ready?.message ?? '';
}
