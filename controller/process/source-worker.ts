import { formatProblem } from '../core/problem.ts';
import type { Logger } from '../observability/logger.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';
import type { ReconcileRequest, ReconcileResult } from '../reconcilers/reconciler.ts';
import type { LoadedCommit } from '../source/git-source.ts';
import type { TrackedSource } from '../source/tracked-source.ts';

export interface SourceWorkerDeps {
  source: TrackedSource;
  /** Takes note of the tip's environments; those it gains are enqueued with `reason`, the reason this request ran. */
  learn: (commit: LoadedCommit, reason: string | undefined) => void;
  logger: Logger;
  metrics: ControllerMetrics;
  newId: () => string;
  /** The environments known after a load, for the log line. */
  known: () => string[];
}

/**
 * The Source request: fetch the tracked branch and learn the environments of its tip, before any
 * is known (or when none is owned here). Learning enqueues those this replica owns.
 */
export function createSourceWorker(deps: SourceWorkerDeps): (request: ReconcileRequest, reason: string | undefined) => Promise<ReconcileResult> {
  return async (request, reason) => {
    const log = deps.logger.child({ reconcileId: deps.newId(), source: request.name });
    let loaded: LoadedCommit;
    try {
      loaded = await deps.source.load(await deps.source.fetch());
    } catch (error) {
      deps.metrics.errors.inc({ reason: 'GitFetchFailed' });
      log.warn({ err: error }, 'cannot fetch the tracked branch; retrying with backoff');
      return { requeue: { policy: 'transient' } };
    }
    if (loaded.errors.length > 0) {
      log.warn({ commit: loaded.commit, problems: loaded.errors.slice(0, 20).map(formatProblem) }, 'the manifests are not valid; waiting for a fix');
      return { requeue: { policy: 'needs-human' } };
    }
    deps.learn(loaded, reason);
    log.info({ commit: loaded.commit, environments: deps.known() }, 'environments found');
    return { requeue: { policy: 'settled' } };
  };
}
