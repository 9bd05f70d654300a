/**
 * Reporting into Git itself: `status/<environment>.yaml` on a status branch (default
 * `intctl/status`), one commit per change of status. Implemented with Git plumbing in
 * create-status-writer.ts.
 */
import type { EnvironmentStatusDocument } from '../../core/environment-status.ts';
import { TransientError } from '../../core/errors.ts';
import type { GitRemote } from '../../source/git-source.ts';

export interface StatusWriterOptions extends GitRemote {
  /** The branch status commits go to, on the same remote as the manifests; `intctl/status` when left out. */
  branch?: string;
  /** A bare repository of the writer's own (not the source's mirror); created on first write. */
  dir: string;
  /** Author and committer of status commits. */
  author: { name: string; email: string };
  /** Attempts of fetch, commit and push before giving up when other writers keep moving the branch; 5 when left out. */
  maxAttempts?: number;
  /** Told each time a push lost a race with another writer and the change is re-applied on the new tip (for metrics and logs). */
  onRetry?: (event: { path: string; attempt: number }) => void;
}

export interface StatusWriter {
  /**
   * Writes the document and commits it to the status branch, unless it equals what is there
   * (`unchanged`). The branch is created, with no history, when missing. A push rejected because
   * another writer moved the branch is fetched, the change re-applied on the new tip, and retried
   * (a bounded number of times); no other writer's update is lost. Throws StatusWriteFailedError.
   */
  write(document: EnvironmentStatusDocument): Promise<'written' | 'unchanged'>;
}

/** The status branch could not be fetched or pushed; transient, retried with backoff by the caller. */
export class StatusWriteFailedError extends TransientError {
  readonly reason = 'StatusWriteFailed';
}
