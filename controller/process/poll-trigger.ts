import { schedule } from 'node-cron';
import type { Logger } from '../observability/logger.ts';

export interface PollOptions {
  /** A cron expression of five fields, or six with seconds first. */
  schedule: string;
  /** Each tick waits a random delay up to this, so replicas and controllers do not poll in step. */
  jitterMs: number;
  enqueueAll: (reason: string) => unknown;
  logger: Logger;
}

export interface Trigger {
  stop(): Promise<void>;
}

/** Polls on a cron schedule: each tick, after its jitter, enqueues every environment. Nothing else. */
export function startPolling(options: PollOptions): Trigger {
  const log = options.logger.child({ trigger: 'poll' });
  const task = schedule(
    options.schedule,
    () => {
      options.enqueueAll('poll');
    },
    {
      name: 'intctl-poll',
      noOverlap: true,
      maxRandomDelay: options.jitterMs,
      logger: {
        info: (message) => log.debug(message),
        warn: (message) => log.warn(message),
        error: (message, err) => log.error({ err: err ?? message }, typeof message === 'string' ? message : 'cron error'),
        debug: (message) => log.debug({ detail: String(message) }, 'cron'),
      },
    },
  );
  log.info({ schedule: options.schedule, jitterMs: options.jitterMs }, 'polling');
  return {
    async stop() {
      await task.destroy();
    },
  };
}
