import type { EnvironmentDriver } from '../environments/driver.ts';
import type { PublishedIntegration } from '../core/environment-state.ts';
import type { ReconcileReport } from '../reconcile/reconcile-environment.ts';
import { statusDocument } from '../source/status-document.ts';
import type { StatusWriter } from '../source/status-writer.ts';
import { documentOf, type EnvironmentStatus } from './environment-status.ts';
import type { Logger } from './logger.ts';
import type { ControllerMetrics } from './metrics.ts';

/**
 * What the environment holds after a reconcile (observed again, since the apply changed it), and
 * what the reconcile applied. The document rules of controller/source apply: names, versions,
 * hashes and commits only, never anything of a connection. When the environment cannot be
 * observed, the last known list stays.
 */
export async function publishedAndApplied(
  report: ReconcileReport,
  open: () => Promise<EnvironmentDriver>,
  previous: EnvironmentStatus | undefined,
  at: Date,
  log: Logger,
): Promise<Pick<EnvironmentStatus, 'published' | 'lastApplied'>> {
  const applied = report.apply?.status === 'Applied' && report.apply.applied > 0 ? report.plan : undefined;
  let integrations: PublishedIntegration[] | undefined;
  if (report.outcome.kind !== 'Suspended') {
    try {
      const driver = await open();
      try {
        integrations = (await driver.observe()).integrations;
      } finally {
        await driver.close();
      }
    } catch (error) {
      log.warn({ err: error }, 'cannot observe the environment for its status; keeping the last known');
    }
  }
  const document = statusDocument({
    environment: report.environment,
    commit: report.commit,
    conditions: [],
    observed: { integrations: integrations ?? [] },
    ...(applied ? { applied: { commit: report.commit, at: at.toISOString(), actions: applied.actions } } : {}),
  });
  const published = integrations ? [...document.published].sort((a, b) => (a.integration < b.integration ? -1 : 1)) : (previous?.published ?? []);
  const lastApplied = document.lastApplied ?? previous?.lastApplied;
  return { published, ...(lastApplied ? { lastApplied } : {}) };
}

export interface StatusReporter {
  /** Commits the status document when it differs from the last one written; a failure is logged and tried again after the next reconcile. */
  write(status: EnvironmentStatus, log: Logger): Promise<void>;
  forget(environment: string): void;
}

/** Status commits through a StatusWriter, skipping documents equal to the last written (no Git round trip for them). */
export function statusReporter(writer: StatusWriter | undefined, metrics: ControllerMetrics): StatusReporter {
  const written = new Map<string, string>();
  return {
    async write(status, log) {
      const document = writer ? documentOf(status) : undefined;
      if (!writer || !document) return;
      const text = JSON.stringify(document);
      if (written.get(status.environment) === text) return;
      try {
        const result = await writer.write(document);
        written.set(status.environment, text);
        log.debug({ result }, 'status written');
      } catch (error) {
        metrics.errors.inc({ reason: 'StatusWriteFailed' });
        log.warn({ err: error }, 'cannot write the status to Git; trying again after the next reconcile');
      }
    },
    forget(environment) {
      written.delete(environment);
    },
  };
}
