/**
 * The Markdown summary of a check run: a one-line headline, what the check is about and its risk
 * at a glance, then the sections in the order reviewers read them, cut to GitHub's size limit
 * with a marker when it would not fit. Pure.
 */
import { shortCommit } from '../format-plan.ts';
import type { CheckConclusion, EnvironmentCheck } from './check-report.ts';
import { code, counted, escapeMarkdown, fitLines, formatCount, type Hidden, type SummaryLine } from './render-markdown.ts';
import {
  approvalsSection,
  breakingSection,
  connectionSection,
  connectionsMoved,
  dependencySection,
  integrationsInOrder,
  interfaceSection,
  newIntegrationsSection,
  noticesSection,
  planTable,
  problemsSection,
} from './render-sections.ts';
import type { Verdict } from './render-verdict.ts';

/** GitHub's limit on `output.summary`. */
export const MAX_SUMMARY_CHARS = 65535;

const ICONS: Record<CheckConclusion, string> = { success: '✅', failure: '❌', action_required: '✋', neutral: '⏳' };

/** The headline: the first line of every summary, kept whatever is cut. */
export function headline(check: EnvironmentCheck, conclusion: CheckConclusion, title: string): string {
  return `### ${ICONS[conclusion]} intctl/${escapeMarkdown(check.environment, 100)}: ${escapeMarkdown(title)}`;
}

/** The whole summary, at most `maxChars` long; see fitLines for how it is cut. */
export function renderSummary(check: EnvironmentCheck, verdict: Verdict, conclusion: CheckConclusion, title: string, maxChars = MAX_SUMMARY_CHARS): string {
  const integrations = integrationsInOrder(check);
  const lines: SummaryLine[] = [
    { text: headline(check, conclusion, title) },
    { text: '' },
    { text: contextLine(check) },
    ...riskLines(check),
    ...verdictLines(verdict),
    ...breakingSection(check, integrations),
    ...problemsSection(check.problems),
    ...planTable(check.plan),
    ...newIntegrationsSection(check.plan),
    ...dependencySection(check.plan),
    ...connectionSection(check.plan),
    ...noticesSection(check.plan),
    ...approvalsSection(check.approvals),
    ...interfaceSection(check, integrations),
    ...footer(check),
  ];
  return fitLines(lines, maxChars, (hidden) => truncationMarker(check.environment, hidden));
}

/** `**… summary truncated:** 1,234 more lines (9,000 actions, 12 interface changes not shown). Run …`. */
export function truncationMarker(environment: string, hidden: Hidden): string {
  const parts = [hidden.actions > 0 ? counted(hidden.actions, 'action') : '', hidden.changes > 0 ? counted(hidden.changes, 'interface change') : ''].filter(Boolean);
  const what = parts.length > 0 ? ` (${parts.join(', ')} not shown)` : '';
  return `**… summary truncated:** ${counted(hidden.lines, 'more line')}${what}. Run ${runPlan(environment)} for the whole plan.`;
}

function runPlan(environment: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(environment) ? `\`intctl plan --env ${environment}\`` : `intctl plan --env ${escapeMarkdown(environment, 100)}`;
}

function contextLine(check: EnvironmentCheck): string {
  const at = code(shortCommit(check.commit));
  const env = `**${escapeMarkdown(check.environment, 100)}**`;
  if (check.event === 'pull_request') {
    const pr = check.pullRequest !== undefined ? `pull request #${check.pullRequest}` : 'this pull request';
    if (check.newEnvironment) {
      return `${pr[0]!.toUpperCase()}${pr.slice(1)} adds environment ${env}, at ${at}: it is planned once it is on the tracked branch. How an environment is reached (driver, address, credentials) is taken from the tracked branch only, never from a pull request.`;
    }
    if (check.unaffected) return `${pr[0]!.toUpperCase()}${pr.slice(1)} changes no manifest or specification that environment ${env} uses, at ${at}: merging it changes nothing there.`;
    return `What merging ${pr} would do in environment ${env}, planned at ${at}. Nothing is applied from a pull request.`;
  }
  return `Environment ${env} at ${at} on the tracked branch.`;
}

/** Breaking republishes, forced republishes, connection changes and prunes, counted on one line. */
function riskLines(check: EnvironmentCheck): SummaryLine[] {
  const actions = check.plan?.actions ?? [];
  if (actions.length === 0) return [];
  let breaking = 0;
  let forced = 0;
  let connections = 0;
  let secrets = 0;
  let prunes = 0;
  const moved = connectionsMoved(check.plan);
  for (const action of actions) {
    if (action.type === 'Publish' && action.breaking) breaking++;
    if (action.type === 'Publish' && action.reason === 'ForcedByDependency') forced++;
    if (action.type === 'UpsertConnection' || action.type === 'DeleteConnection') connections++;
    if (action.type === 'UpsertConnection' && Object.keys(action.connection.secrets).length > 0) secrets++;
    if (action.type === 'Unpublish' || action.type === 'DeleteConnection') prunes++;
  }
  const parts = [
    breaking > 0 ? `⚠️ ${counted(breaking, 'breaking republish', 'breaking republishes')}` : '',
    forced > 0 ? counted(forced, 'republish forced by a dependency update', 'republishes forced by dependency updates') : '',
    connections > 0 ? `${counted(connections, 'connection change')}${secrets > 0 ? ` (${formatCount(secrets)} with secret fields)` : ''}` : '',
    moved > 0 ? `🔀 ${counted(moved, 'connection sending its credentials to another host', 'connections sending their credentials to another host')}` : '',
    prunes > 0 ? `🗑️ ${counted(prunes, 'destructive prune')}` : '',
  ].filter(Boolean);
  const text = parts.length > 0 ? parts.join(' · ') : 'no breaking changes, forced republishes, connection changes or prunes';
  return [{ text: '' }, { text: `**Risk:** ${text}` }];
}

function verdictLines(verdict: Verdict): SummaryLine[] {
  const say = (label: string, message: string): SummaryLine[] => [{ text: '' }, { text: `> **${label}.** ${escapeMarkdown(message)}` }];
  switch (verdict.kind) {
    case 'Failed':
      return say(verdict.reason === verdict.cause ? verdict.cause : `${verdict.cause} (${verdict.reason})`, verdict.message);
    case 'Refused':
      return say(`Blocked: ${verdict.reason ?? 'BreakingChangeRefused'}`, verdict.message);
    case 'Waiting':
      return say(verdict.reason, verdict.message);
    case 'LeaseHeld':
      return say('LeaseHeld', verdict.message);
    case 'Suspended':
      return say('Suspended', 'reconciliation is suspended (spec.suspend is true)');
    case 'Clean':
    case 'NewEnvironment':
      return [];
  }
}

function footer(check: EnvironmentCheck): SummaryLine[] {
  const out: SummaryLine[] = [{ text: '' }, { text: '---' }, { text: '' }];
  const url = safeUrl(check.detailsUrl);
  const more = url ? ` · [status page](${url})` : '';
  out.push({ text: `Run ${runPlan(check.environment)} for the plan as the CLI prints it${more}.` });
  return out;
}

/** An http(s) address, with the characters that could end a Markdown link percent-encoded. */
function safeUrl(address: string | undefined): string | undefined {
  if (!address) return undefined;
  try {
    const url = new URL(address);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.href.replace(/[()<>\s"'\\`]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
  } catch {
    return undefined;
  }
}
