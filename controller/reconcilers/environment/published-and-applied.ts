import type { EnvironmentStatus } from '../../core/environment-status.ts';
import type { PublishedIntegration } from '../../core/environment-state.ts';
import type { EnvironmentDriver } from '../../environments/driver.ts';
import type { Logger } from '../../observability/logger.ts';
import { statusDocument } from '../../reporting/status-branch/status-document.ts';
import type { ReconcileReport } from './reconcile-environment.ts';

/**
 * What the environment holds after a reconcile (observed again, since the apply changed it), and
 * what the reconcile applied. The document rules of controller/source apply: names, versions,
 * hashes and commits only, never anything of a connection. When the environment cannot be
 * observed, the last known list stays.
 */
export async function publishedAndApplied(
  report: ReconcileReport & { commit: string },
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
