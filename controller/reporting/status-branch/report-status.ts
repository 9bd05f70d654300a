import type { StatusWriter } from './status-writer.ts';
import { documentOf, type EnvironmentStatus } from '../../core/environment-status.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ControllerMetrics } from '../../observability/metrics.ts';

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
