import { describeAction } from '../core/describe-action.ts';
import { catalogSurface } from './catalog-surface.ts';
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
    case 'Publish': {
      const actions = catalogSurface(action.integration.catalog).actions.length;
      return `${action.integration.artifactHash.slice(0, 19)}, ${actions} ${actions === 1 ? 'action' : 'actions'}${action.breaking ? '  BREAKING' : ''}`;
    }
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
  out += formatNewIntegrations(plan);
  const fields = Object.entries(plan.connectionChanges ?? {});
  if (fields.length > 0) {
    out += `\nConnection changes:\n${fields.map(([name, changes]) => changes.map((c) => `  ~ ${name} ${c.field}: ${c.from ?? '(none)'} -> ${c.to ?? '(none)'}`).join('\n')).join('\n')}\n`;
  }
  const broken = Object.entries(plan.breakingChanges);
  if (broken.length > 0) {
    out += `\nBreaking interface changes:\n${broken.map(([name, changes]) => changes.map((c) => `  ${name}: ${c}`).join('\n')).join('\n')}\n`;
  }
  out += formatNotices(plan);
  if (plan.blocked) out += `\nBlocked (${plan.blocked.reason}): ${plan.blocked.message}\n`;
  return out;
}

/** Action names a plan prints per new integration; `intctl generate` shows them all. */
const LISTED_ACTIONS = 20;

/** What each new integration publishes: how many actions, and the first of them by name. */
function formatNewIntegrations(plan: Plan): string {
  const lines: string[] = [];
  for (const action of plan.actions) {
    if (action.type !== 'Publish' || action.reason !== 'New') continue;
    const { actions } = catalogSurface(action.integration.catalog);
    const more = actions.length > LISTED_ACTIONS ? ` and ${actions.length - LISTED_ACTIONS} more` : '';
    lines.push(`  + ${action.integration.name} publishes ${actions.length} ${actions.length === 1 ? 'action' : 'actions'}: ${actions.slice(0, LISTED_ACTIONS).join(', ')}${more}`);
  }
  return lines.length === 0 ? '' : `\nNew integrations:\n${lines.join('\n')}\n`;
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
