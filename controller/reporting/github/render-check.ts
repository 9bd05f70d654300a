/**
 * The check run of one environment, rendered for GitHub: what authors and reviewers see on a pull
 * request (`intctl/<environment>`) and on the tracked branch's commits. Pure and deterministic:
 * no I/O, no clock; the same check always renders to the same bytes.
 */
import type { EnvironmentCheck, RenderedCheck } from './check-report.ts';
import { renderAnnotations } from './render-annotations.ts';
import { MAX_SUMMARY_CHARS, renderSummary } from './render-summary.ts';
import { conclusionOf, statusOf, titleOf, verdictOf } from './render-verdict.ts';

export interface RenderCheckOptions {
  /** The longest summary to return; GitHub's limit by default. */
  maxSummaryChars?: number;
}

/**
 * Renders a check: its conclusion (failure on any error, action_required when a person must
 * approve, apply or change a refused breaking change, neutral while it waits on something else,
 * success otherwise), a one-line title, a Markdown summary of the plan that never exceeds
 * `maxSummaryChars` (it is cut with a marker instead), every annotation, and the commit status
 * that stands in for the check where check runs are not available. Untrusted names and messages
 * render as text; no secret material is ever read into the output.
 */
export function renderCheck(check: EnvironmentCheck, options: RenderCheckOptions = {}): RenderedCheck {
  const maxChars = Math.max(0, Math.floor(options.maxSummaryChars ?? MAX_SUMMARY_CHARS));
  const verdict = verdictOf(check);
  const conclusion = conclusionOf(verdict);
  const title = titleOf(check, verdict);
  return {
    name: `intctl/${check.environment}`,
    conclusion,
    title,
    summary: renderSummary(check, verdict, conclusion, title, Number.isNaN(maxChars) ? MAX_SUMMARY_CHARS : maxChars),
    annotations: renderAnnotations(check.problems),
    status: statusOf(verdict, title),
  };
}
