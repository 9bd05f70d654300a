import { describeAction } from '../core/describe-action.ts';
import type { Plan } from '../core/plan.ts';
import type { PlanAction } from '../core/plan-action.ts';

/** The action as a row: what, on what, why, and the detail a reviewer needs. */
export function actionRow(action: PlanAction): [string, string, string, string] {
  const d = describeAction(action);
  return [d.verb, d.target, d.why, detail(action)];
}

function detail(action: PlanAction): string {
  switch (action.type) {
    case 'UpdateDependency':
      return `${action.from ?? 'not installed'} -> ${action.to}`;
    case 'UpsertConnection':
      return `${action.connection.authType} ${String(action.connection.parameters.endpoint ?? '')}`.trim();
    case 'Publish':
      return `${action.integration.artifactHash.slice(0, 19)}${action.breaking ? '  BREAKING' : ''}`;
    default:
      return '';
  }
}

/** A plan as people read it: a table of actions, then what was noticed and why it may be blocked. */
export function formatPlan(plan: Plan, commit?: string): string {
  const head = `Plan for environment ${plan.environment}${commit ? ` at ${shortCommit(commit)}` : ''}: `;
  if (plan.actions.length === 0) {
    return `${head}nothing to do.\n${formatNotices(plan)}`;
  }
  const rows = [['ACTION', 'TARGET', 'REASON', 'DETAIL'], ...plan.actions.map(actionRow)];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => `  ${r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')}`.trimEnd());
  const breaking = plan.actions.filter((a) => a.type === 'Publish' && a.breaking).length;
  let out = `${head}${plan.actions.length} ${plan.actions.length === 1 ? 'action' : 'actions'}${breaking > 0 ? `, ${breaking} breaking` : ''}.\n\n${lines.join('\n')}\n`;
  const broken = Object.entries(plan.breakingChanges);
  if (broken.length > 0) {
    out += `\nBreaking interface changes:\n${broken.map(([name, changes]) => changes.map((c) => `  ${name}: ${c}`).join('\n')).join('\n')}\n`;
  }
  out += formatNotices(plan);
  if (plan.blocked) out += `\nBlocked (${plan.blocked.reason}): ${plan.blocked.message}\n`;
  return out;
}

function formatNotices(plan: Plan): string {
  if (plan.notices.length === 0) return '';
  return `\n${plan.notices.map((n) => `  ! ${n.kind.toLowerCase()} ${n.name}: ${n.message}`).join('\n')}\n`;
}

/** `3dda98b` for a commit id, keeping a suffix such as `-dirty`; other labels as they are. */
export function shortCommit(commit: string): string {
  const match = /^([0-9a-f]{40})(.*)$/.exec(commit);
  return match ? `${match[1]!.slice(0, 7)}${match[2]}` : commit;
}
