/**
 * The annotations of a check run: one per problem that names a file, on its manifest line. Pure.
 */
import { sortProblems, type Problem } from '../../core/problem.ts';
import type { Annotation } from './check-report.ts';
import { truncateText, truncateUtf8 } from './render-markdown.ts';

/** GitHub's limits on an annotation's title (characters) and message (bytes). */
export const MAX_ANNOTATION_TITLE = 255;
export const MAX_ANNOTATION_MESSAGE_BYTES = 64 * 1024;

/**
 * Every problem with a file as an annotation, sorted by file, line and column: errors are
 * `failure`, warnings `warning`; one line each, with the column (start and end are on the same
 * line, the only case where GitHub takes columns). Titles are the field, else the reason. The
 * reporter sends them in batches of 50.
 */
export function renderAnnotations(problems: readonly Problem[]): Annotation[] {
  const out: Annotation[] = [];
  for (const problem of sortProblems(problems)) {
    if (!problem.file) continue;
    const line = Math.max(1, Math.trunc(problem.line) || 1);
    const column = Number.isInteger(problem.column) && problem.column >= 1 ? problem.column : undefined;
    out.push({
      path: problem.file.replace(/^\.\//, ''),
      start_line: line,
      end_line: line,
      ...(column !== undefined ? { start_column: column, end_column: column } : {}),
      annotation_level: problem.severity === 'error' ? 'failure' : 'warning',
      title: truncateText(problem.field || problem.reason, MAX_ANNOTATION_TITLE),
      message: truncateUtf8(problem.message || problem.reason, MAX_ANNOTATION_MESSAGE_BYTES),
    });
  }
  return out;
}
