import type { Plan } from '../core/plan.ts';
import type { PlanAction } from '../environments/driver.ts';

const WORDS: Record<PlanAction['type'], string> = {
  UpdateDependency: 'update dependency',
  UpsertConnection: 'upsert connection',
  DeleteConnection: 'delete connection',
  Publish: 'publish',
  Unpublish: 'unpublish',
};

/** The action as a row: what, on what, why, and the detail a reviewer needs. */
export function actionRow(action: PlanAction): [string, string, string, string] {
  switch (action.type) {
    case 'UpdateDependency':
      return [WORDS[action.type], action.name, 'pinned', `${action.from ?? 'not installed'} -> ${action.to}`];
    case 'UpsertConnection':
      return [WORDS[action.type], action.connection.name, words(action.reason), `${action.connection.authType} ${String(action.connection.parameters.endpoint ?? '')}`.trim()];
    case 'DeleteConnection':
      return [WORDS[action.type], action.name, 'pruned', ''];
    case 'Publish': {
      const why = action.reason === 'ForcedByDependency' ? `forced by ${action.forcedBy?.join(', ')}` : words(action.reason);
      const detail = `${action.integration.artifactHash.slice(0, 19)}${action.breaking ? '  BREAKING' : ''}`;
      return [WORDS[action.type], action.integration.name, why, detail];
    }
    case 'Unpublish':
      return [WORDS[action.type], action.name, 'pruned', ''];
  }
}

function words(reason: string): string {
  return reason.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
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
