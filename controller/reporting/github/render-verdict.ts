/**
 * What a check run says in one word and one line: its conclusion, its title and the commit status
 * that stands in for it. Derived from the reconcile outcome first, then from the problems, the
 * plan and the gate decision, so that a pull request's plan (nothing applied) and the tracked
 * branch's apply result read the same way. Pure.
 */
import { verdictOfOutcome, type Verdict as OutcomeVerdict } from '../../core/finalize.ts';
import { shortCommit } from '../format-plan.ts';
import type { CheckConclusion, EnvironmentCheck, RenderedStatus } from './check-report.ts';
import { counted, formatCount, plainText, truncateText } from './render-markdown.ts';

/** Why a check run ends as it does: finalize's verdict of the outcome, or a new environment of a pull request. */
export type Verdict = OutcomeVerdict | { kind: 'NewEnvironment' };

/** GitHub's limit on a commit status description. */
export const MAX_STATUS_DESCRIPTION = 140;
/** A title is one line on the pull request; longer ones are cut. */
export const MAX_TITLE_CHARS = 255;

/**
 * The verdict of a check: a failing outcome or an error-severity problem fails it; otherwise the
 * outcome decides when it is not a success, then a plan that policy blocks, then the gate.
 */
export function verdictOf(check: EnvironmentCheck): Verdict {
  if (check.newEnvironment && !check.problems.some((p) => p.severity === 'error')) return { kind: 'NewEnvironment' };
  const verdict = verdictOfOutcome(check.outcome);
  if (verdict.kind === 'Failed') return verdict;
  const errors = check.problems.filter((p) => p.severity === 'error').length;
  if (errors > 0) return { kind: 'Failed', cause: 'ValidationFailed', reason: 'ValidationFailed', message: `${counted(errors, 'error')} in the manifests` };
  if (verdict.kind !== 'Clean') return verdict;
  if (check.plan?.blocked) return { kind: 'Refused', message: check.plan.blocked.message, ...(check.plan.blocked.reason === 'PruneRefused' ? { reason: 'PruneRefused' } : {}) };
  const decision = check.decision;
  if (decision && !decision.allowed) {
    if (decision.reason === 'BreakingChangeRefused' || decision.reason === 'PruneRefused') return { kind: 'Refused', message: decision.message, ...(decision.reason === 'PruneRefused' ? { reason: 'PruneRefused' } : {}) };
    return { kind: 'Waiting', reason: decision.reason, message: decision.message };
  }
  return verdict;
}

/** failure, action_required (a person must act), neutral (waiting on something else), success. */
export function conclusionOf(verdict: Verdict): CheckConclusion {
  switch (verdict.kind) {
    case 'Failed':
      return 'failure';
    case 'Refused':
      return 'action_required';
    case 'Waiting':
      return verdict.reason === 'AwaitingPromotion' ? 'neutral' : 'action_required';
    case 'LeaseHeld':
    case 'Suspended':
    case 'NewEnvironment':
      return 'neutral';
    case 'Clean':
      return 'success';
  }
}

/**
 * One line: for a pull request what merging would do and what it waits for
 * (`3 to publish, 1 breaking; needs 2 approvals (has 1)`), for a push what was applied or why
 * not (`Applied 4 actions at 1a2b3c4`, `Awaiting approval: needs 2 approving reviews, has 0`).
 */
export function titleOf(check: EnvironmentCheck, verdict: Verdict): string {
  return truncateText(plainText(rawTitle(check, verdict), MAX_TITLE_CHARS * 4), MAX_TITLE_CHARS);
}

function rawTitle(check: EnvironmentCheck, verdict: Verdict): string {
  switch (verdict.kind) {
    case 'Failed':
      return failedTitle(check, verdict);
    case 'Suspended':
      return 'Suspended: reconciliation is suspended';
    case 'NewEnvironment':
      return 'New environment: planned once it is on the tracked branch';
    case 'LeaseHeld':
      return `Lease held: ${verdict.message}`;
    default:
      break;
  }
  if (check.event === 'pull_request') {
    const plan = planPhrase(check);
    const wait = waitPhrase(check, verdict);
    if (!wait) return withWarnings(check, plan);
    return `${plan}; ${wait}`;
  }
  switch (verdict.kind) {
    case 'Refused':
      return `Breaking change refused: ${refusedPhrase(check, verdict.message)}`;
    case 'Waiting':
      if (verdict.reason === 'AwaitingApproval') return `Awaiting approval: ${approvalPhrase(check, 'push') ?? verdict.message}`;
      if (verdict.reason === 'AwaitingPromotion') return `Awaiting promotion: ${verdict.message}`;
      return `Manual apply required: ${verdict.message}`;
    case 'Clean':
      return withWarnings(check, appliedPhrase(check));
  }
}

function failedTitle(check: EnvironmentCheck, verdict: Extract<Verdict, { kind: 'Failed' }>): string {
  switch (verdict.cause) {
    case 'ValidationFailed': {
      const errors = check.problems.filter((p) => p.severity === 'error').length;
      const warnings = check.problems.length - errors;
      if (errors === 0) return `Validation failed: ${verdict.message}`;
      return `Validation failed: ${counted(errors, 'error')}${warnings > 0 ? `, ${counted(warnings, 'warning')}` : ''}`;
    }
    case 'GenerationFailed':
      return `Generation failed: ${verdict.message}`;
    case 'GitFetchFailed':
      return `Git fetch failed: ${verdict.message}`;
    case 'ApplyFailed':
      return `Apply failed (${verdict.reason}): ${verdict.message}`;
  }
}

/** `1 dependency update, 3 to publish, 1 to unpublish, 1 breaking`, or `No changes`. */
export function planPhrase(check: EnvironmentCheck): string {
  const actions = check.plan?.actions ?? [];
  if (actions.length === 0) return 'No changes';
  const n = { UpdateDependency: 0, UpsertConnection: 0, Publish: 0, Unpublish: 0, DeleteConnection: 0 };
  let breaking = 0;
  for (const action of actions) {
    n[action.type]++;
    if (action.type === 'Publish' && action.breaking) breaking++;
  }
  const parts: string[] = [];
  if (n.UpdateDependency > 0) parts.push(counted(n.UpdateDependency, 'dependency update'));
  if (n.UpsertConnection > 0) parts.push(counted(n.UpsertConnection, 'connection change'));
  if (n.Publish > 0) parts.push(counted(n.Publish, 'to publish', 'to publish'));
  if (n.Unpublish > 0) parts.push(counted(n.Unpublish, 'to unpublish', 'to unpublish'));
  if (n.DeleteConnection > 0) parts.push(counted(n.DeleteConnection, 'connection to delete', 'connections to delete'));
  if (breaking > 0) parts.push(counted(breaking, 'breaking', 'breaking'));
  return parts.join(', ');
}

function waitPhrase(check: EnvironmentCheck, verdict: Verdict): string | undefined {
  switch (verdict.kind) {
    case 'Refused':
      return 'breaking change refused by policy';
    case 'Waiting':
      if (verdict.reason === 'AwaitingApproval') return approvalPhrase(check, 'pull_request') ?? verdict.message;
      return verdict.message;
    default:
      return undefined;
  }
}

/** `needs 2 approvals (has 1)` on a pull request, `needs 2 approving reviews, has 1` on a push. */
function approvalPhrase(check: EnvironmentCheck, event: EnvironmentCheck['event']): string | undefined {
  const approvals = check.approvals;
  if (!approvals) return undefined;
  const has = approvals.counted.length;
  if (event === 'pull_request') return `needs ${counted(approvals.required, 'approval')} (has ${formatCount(has)})`;
  return `needs ${counted(approvals.required, 'approving review')}, has ${formatCount(has)}`;
}

function refusedPhrase(check: EnvironmentCheck, message: string): string {
  const names = Object.keys(check.plan?.breakingChanges ?? {});
  if (names.length === 0) return message;
  const shown = names.slice(0, 3).join(', ');
  return `breaks callers of ${shown}${names.length > 3 ? ` and ${formatCount(names.length - 3)} more` : ''}; policy.allowBreaking is false`;
}

function appliedPhrase(check: EnvironmentCheck): string {
  const outcome = check.outcome;
  const applied = outcome.kind === 'Applied' ? outcome.applied : 0;
  if (applied === 0) return 'No changes';
  const drifted = outcome.kind === 'Applied' && outcome.drifted.length > 0 ? `; ${formatCount(outcome.drifted.length)} drifted` : '';
  return `Applied ${counted(applied, 'action')} at ${shortCommit(check.commit)}${drifted}`;
}

function withWarnings(check: EnvironmentCheck, title: string): string {
  const warnings = check.problems.filter((p) => p.severity === 'warning').length;
  return warnings > 0 ? `${title}; ${counted(warnings, 'warning')}` : title;
}

/**
 * The commit status standing in for the check run: success; failure when the commit is at fault
 * (validation, generation, a breaking change the policy refuses: it will not pass without a new
 * commit); error when the controller could not finish (fetch, apply); pending while it waits
 * (approvals, promotion, a lease, a manual apply). The description is the title, cut to 140 characters.
 */
export function statusOf(verdict: Verdict, title: string): RenderedStatus {
  return { state: statusState(verdict), description: truncateText(title, MAX_STATUS_DESCRIPTION) };
}

function statusState(verdict: Verdict): RenderedStatus['state'] {
  switch (verdict.kind) {
    case 'Clean':
    case 'NewEnvironment':
      return 'success';
    case 'Failed':
      return verdict.cause === 'ValidationFailed' || verdict.cause === 'GenerationFailed' ? 'failure' : 'error';
    case 'Refused':
      return 'failure';
    default:
      return 'pending';
  }
}
