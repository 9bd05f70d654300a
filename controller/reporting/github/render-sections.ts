/**
 * The sections of a check-run summary, each a list of Markdown lines. Every name and message
 * comes from manifests, specifications or the environment and is escaped here; no secret value,
 * sealed value, reference or fingerprint is ever read. Pure.
 */
import { actionRow } from '../format-plan.ts';
import type { CatalogChange } from '../../artifact/diff-catalogs.ts';
import { describeAction } from '../../core/describe-action.ts';
import { catalogSurface } from '../catalog-surface.ts';
import type { Plan } from '../../core/plan.ts';
import { sortProblems, type Problem } from '../../core/problem.ts';
import type { ConnectionFieldChange } from '../../core/connection-changes.ts';
import type { ConnectionRecord, StoredSecret } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { ApprovalSummary, EnvironmentCheck } from './check-report.ts';
import { code, counted, escapeHtml, escapeMarkdown, formatCount, type SummaryLine } from './render-markdown.ts';

/** Problems listed in the summary; the annotations carry every one. */
export const MAX_LISTED_PROBLEMS = 20;
/** Integrations named after a dependency update that forces them; the table lists every one. */
export const MAX_FORCED_NAMES = 20;

const line = (text: string, tags: Omit<SummaryLine, 'text'> = {}): SummaryLine => ({ text, ...tags });

/** The breaking interface changes per integration, in plan order: from the diffs, else from the plan's own summary. */
export function breakingSection(check: EnvironmentCheck, integrations: readonly string[]): SummaryLine[] {
  const plan = check.plan;
  const out: SummaryLine[] = [];
  for (const name of integrations) {
    // Own members only: an integration may be named like a member every object has (toString).
    const changes = (Object.hasOwn(check.interfaceChanges, name) ? check.interfaceChanges[name]! : []).filter((c) => c.severity === 'breaking');
    const planned = plan && Object.hasOwn(plan.breakingChanges, name) ? plan.breakingChanges[name]! : [];
    const items = changes.length > 0 ? changes.map(changeItem) : planned.map((text) => escapeMarkdown(text));
    if (items.length === 0) continue;
    out.push(line(`- **${escapeMarkdown(name)}**: ${counted(items.length, 'breaking change')}`));
    for (const item of items) out.push(line(`  - ${item}`));
  }
  if (out.length === 0) return [];
  const refused = plan?.blocked?.reason === 'BreakingChangeRefused' ? ' (refused: policy.allowBreaking is false)' : '';
  return [line(''), line(`#### ⚠️ Breaking changes${refused}`), line(''), ...out];
}

/** The integrations that have interface changes or breaking changes: first as the plan publishes them, then by name. */
export function integrationsInOrder(check: EnvironmentCheck): string[] {
  const names = new Set<string>();
  for (const action of check.plan?.actions ?? []) if (action.type === 'Publish') names.add(action.integration.name);
  const rest = new Set([...Object.keys(check.interfaceChanges), ...Object.keys(check.plan?.breakingChanges ?? {})]);
  const ordered = [...names].filter((n) => rest.has(n));
  for (const n of [...rest].sort()) if (!names.has(n)) ordered.push(n);
  return ordered;
}

/** A short list of the problems at the commit; each is also an annotation on its line. */
export function problemsSection(problems: readonly Problem[]): SummaryLine[] {
  if (problems.length === 0) return [];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const parts = [errors > 0 ? counted(errors, 'error') : '', warnings > 0 ? counted(warnings, 'warning') : ''].filter(Boolean);
  const out = [line(''), line(`#### Problems in the manifests (${parts.join(', ')})`), line('')];
  const sorted = sortProblems(problems).sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const p of sorted.slice(0, MAX_LISTED_PROBLEMS)) {
    const where = p.file ? `${escapeMarkdown(p.file)}:${p.line}:${p.column}` : '(no file)';
    const field = p.field ? ` ${escapeMarkdown(p.field)}:` : '';
    const object = p.object ? ` (${escapeMarkdown(`${p.object.kind} ${p.object.name}`)})` : '';
    out.push(line(`- **${p.severity}** ${where} \`${p.reason}\`${field} ${escapeMarkdown(p.message)}${object}`));
  }
  if (problems.length > MAX_LISTED_PROBLEMS) out.push(line(`- … and ${formatCount(problems.length - MAX_LISTED_PROBLEMS)} more; every problem is annotated on its line.`));
  return out;
}

/** The plan's actions, in plan order, one table row each. */
export function planTable(plan: Plan | undefined): SummaryLine[] {
  if (!plan || plan.actions.length === 0) return [];
  const out = [line(''), line(`#### Plan: ${counted(plan.actions.length, 'action')}`), line(''), line('| # | Action | Target | Why | Detail | Flags |'), line('|--:|---|---|---|---|---|')];
  plan.actions.forEach((action, i) => {
    const [what, target, why] = actionRow(action);
    const cells = [String(i + 1), what, escapeMarkdown(target, 200), escapeMarkdown(why, 300), escapeMarkdown(detail(action), 200), flags(action).join(', ')];
    out.push(line(`| ${cells.join(' | ')} |`, { action: true }));
  });
  return out;
}

/** What a reviewer checks beside the reason; never a connection's endpoint or secrets. */
function detail(action: PlanAction): string {
  switch (action.type) {
    case 'UpdateDependency':
      return `${action.from ?? 'not installed'} → ${action.to}`;
    case 'Publish':
      return `version ${action.integration.version}, ${counted(catalogSurface(action.integration.catalog).actions.length, 'action')}`;
    case 'UpsertConnection':
      return `${action.connection.authType} auth`;
    default:
      return '';
  }
}

function flags(action: PlanAction): string[] {
  const d = describeAction(action);
  const secrets = action.type === 'UpsertConnection' && Object.keys(action.connection.secrets).length > 0;
  return [d.breaking ? '**breaking**' : '', d.forced ? 'forced' : '', secrets ? 'secrets' : '', d.drifted ? 'drifted' : '', d.destructive ? '**destructive**' : ''].filter(Boolean);
}

/** Action names listed per new integration; the rest are counted. */
export const MAX_LISTED_ACTIONS = 100;

/** What each new integration will publish, collapsed: its action count, then the names of its actions. */
export function newIntegrationsSection(plan: Plan | undefined): SummaryLine[] {
  const added = (plan?.actions ?? []).filter((a) => a.type === 'Publish' && a.reason === 'New');
  if (added.length === 0) return [];
  const out = [line(''), line('#### New integrations'), line('')];
  for (const action of added) {
    if (action.type !== 'Publish') continue;
    const surface = catalogSurface(action.integration.catalog);
    const entities = surface.entities.length > 0 ? `, ${counted(surface.entities.length, 'entity', 'entities')}` : '';
    out.push(line(`<details><summary>${escapeHtml(action.integration.name, 200)}: publishes ${counted(surface.actions.length, 'action')}${entities}</summary>`, { details: 'open' }), line(''));
    const listed = surface.actions.slice(0, MAX_LISTED_ACTIONS).map((name) => escapeMarkdown(name, 200));
    out.push(line(listed.join(', ')));
    if (surface.actions.length > MAX_LISTED_ACTIONS) out.push(line(''), line(`… and ${formatCount(surface.actions.length - MAX_LISTED_ACTIONS)} more`));
    out.push(line(''), line('</details>', { details: 'close' }));
  }
  return out;
}

/** Each dependency update, and the integrations it forces to be republished in the same apply. */
export function dependencySection(plan: Plan | undefined): SummaryLine[] {
  const updates = (plan?.actions ?? []).filter((a) => a.type === 'UpdateDependency');
  if (updates.length === 0) return [];
  const out = [line(''), line('#### Dependency updates'), line('')];
  for (const update of updates) {
    const forced = plan!.actions.flatMap((a) => (a.type === 'Publish' && a.reason === 'ForcedByDependency' && a.forcedBy?.includes(update.name) ? [a.integration.name] : []));
    const head = `- **${update.name}** ${escapeMarkdown(update.from ?? 'not installed')} → ${escapeMarkdown(update.to)}`;
    if (forced.length === 0) {
      out.push(line(`${head}: forces no republish (every published artifact accepts it)`));
      continue;
    }
    const names = forced.slice(0, MAX_FORCED_NAMES).map((n) => escapeMarkdown(n, 200)).join(', ');
    const more = forced.length > MAX_FORCED_NAMES ? ` and ${formatCount(forced.length - MAX_FORCED_NAMES)} more` : '';
    out.push(line(`${head}: forces republishing ${counted(forced.length, 'integration')}: ${names}${more}`));
  }
  return out;
}

/** Connections upserted or deleted: name, auth type and secret field names with their kind, never a value. */
export function connectionSection(plan: Plan | undefined): SummaryLine[] {
  const actions = (plan?.actions ?? []).filter((a) => a.type === 'UpsertConnection' || a.type === 'DeleteConnection');
  if (actions.length === 0) return [];
  const out = [line(''), line('#### Connection changes'), line(''), line('Secret values, sealed values, references and fingerprints are never shown.'), line('')];
  for (const action of actions) {
    if (action.type === 'DeleteConnection') {
      out.push(line(`- **${escapeMarkdown(action.name)}**: deleted (pruned); **destructive**`));
      continue;
    }
    if (action.type !== 'UpsertConnection') continue;
    const what = { New: 'new', Changed: 'changed in Git', Drifted: 'changed outside Git; put back' }[action.reason];
    out.push(line(`- **${escapeMarkdown(action.connection.name)}** (${escapeMarkdown(action.connection.authType)} auth): ${what}; ${secretFields(action.connection)}`));
    for (const change of plan?.connectionChanges?.[action.connection.name] ?? []) out.push(line(`  - ${fieldChange(change)}`));
  }
  return out;
}

const FIELD_NAMES: Record<ConnectionFieldChange['field'], string> = { endpoint: 'endpoint', authType: 'auth type', tokenUrl: 'token URL', scopes: 'scopes', audience: 'audience' };

/** `endpoint ~ `a` → `b`: its credentials will be sent to another host`. */
function fieldChange(change: ConnectionFieldChange): string {
  const value = (v: string | undefined): string => (v === undefined ? '(none)' : code(v));
  const moved = (change.field === 'endpoint' || change.field === 'tokenUrl') && hostOf(change.from) !== hostOf(change.to);
  const warning = moved ? `: ⚠️ its credentials will be sent to ${change.to === undefined ? 'no host' : 'another host'}` : '';
  return `${FIELD_NAMES[change.field]} ~ ${value(change.from)} → ${value(change.to)}${warning}`;
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : new URL(url).host;
  } catch {
    return url;
  }
}

/** Connections whose endpoint or token URL moves to another host: where credentials will go next. */
export function connectionsMoved(plan: Plan | undefined): number {
  let n = 0;
  for (const changes of Object.values(plan?.connectionChanges ?? {})) {
    if (changes.some((c) => (c.field === 'endpoint' || c.field === 'tokenUrl') && hostOf(c.from) !== hostOf(c.to))) n++;
  }
  return n;
}

function secretFields(connection: ConnectionRecord): string {
  const names = Object.keys(connection.secrets).sort();
  if (names.length === 0) return 'no secret fields';
  const list = names.map((name) => `${escapeMarkdown(name, 100)} (${secretKind(connection.secrets[name]!)})`).join(', ');
  return `secret ${names.length === 1 ? 'field' : 'fields'} ${list}`;
}

function secretKind(secret: StoredSecret): string {
  if ('sealed' in secret) return 'sealed';
  if ('env' in secret) return 'variable';
  return 'file';
}

/** What the plan found and left alone: drift without self-heal, objects kept because prune is off. */
export function noticesSection(plan: Plan | undefined): SummaryLine[] {
  const notices = plan?.notices ?? [];
  if (notices.length === 0) return [];
  const out = [line(''), line('#### Notices'), line('')];
  for (const n of notices) {
    const label = n.type === 'Drifted' ? 'Drifted' : 'Not pruned';
    out.push(line(`- **${label}**: ${n.kind.toLowerCase()} **${escapeMarkdown(n.name)}**: ${escapeMarkdown(n.message)}`));
  }
  return out;
}

/** The approvals required, those counted and those ignored with the reason. */
export function approvalsSection(approvals: ApprovalSummary | undefined): SummaryLine[] {
  if (!approvals) return [];
  const { required, counted: users, ignored } = approvals;
  if (required === 0 && users.length === 0 && ignored.length === 0) return [];
  const on = approvals.pullRequest !== undefined ? ` on pull request #${approvals.pullRequest}` : '';
  const who = approvals.approvers.length > 0 ? approvals.approvers.map((a) => escapeMarkdown(a, 100)).join(', ') : 'any reviewer but the author';
  const mark = users.length >= required ? '✅' : '⏳';
  const out = [line(''), line('#### Approvals'), line(''), line(`${mark} ${formatCount(users.length)} of ${counted(required, 'required approving review')}${on}; approvers: ${who}.`), line('')];
  out.push(line(`- Counted: ${users.length > 0 ? users.map((u) => escapeMarkdown(u, 100)).join(', ') : 'none'}`));
  if (ignored.length > 0) out.push(line(`- Ignored: ${ignored.map((u) => escapeMarkdown(u, 300)).join('; ')}`));
  return out;
}

/** Every interface change of each integration, breaking first, in a collapsed block per integration. */
export function interfaceSection(check: EnvironmentCheck, integrations: readonly string[]): SummaryLine[] {
  const out: SummaryLine[] = [];
  for (const name of integrations) {
    const changes = Object.hasOwn(check.interfaceChanges, name) ? check.interfaceChanges[name]! : [];
    if (changes.length === 0) continue;
    const breaking = changes.filter((c) => c.severity === 'breaking');
    const compatible = changes.filter((c) => c.severity !== 'breaking');
    const parts = [breaking.length > 0 ? `${formatCount(breaking.length)} breaking` : '', compatible.length > 0 ? `${formatCount(compatible.length)} compatible` : ''].filter(Boolean);
    out.push(line(''), line(`<details><summary>${escapeHtml(name, 200)}: ${parts.join(', ')}</summary>`, { details: 'open' }), line(''));
    for (const change of [...breaking, ...compatible]) out.push(line(`- ${change.severity === 'breaking' ? '⚠️ ' : ''}${changeItem(change)}`, { change: true }));
    out.push(line(''), line('</details>', { details: 'close' }));
  }
  if (out.length === 0) return [];
  return [line(''), line('#### Interface changes'), ...out];
}

function changeItem(change: CatalogChange): string {
  return `${escapeMarkdown(change.message)} (\`${change.kind}\`)`;
}
