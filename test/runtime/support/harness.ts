import type { GenerationStore } from '../../../controller/artifact/generation-cache.ts';
import { openDriver } from '../../../controller/environments/open-driver.ts';
import { createController, type Controller } from '../../../controller/process/controller.ts';
import { createLogger } from '../../../controller/observability/logger.ts';
import { createMetrics, type ControllerMetrics } from '../../../controller/observability/metrics.ts';
import type { GitSource } from '../../../controller/source/git-source.ts';
import type { StatusWriter } from '../../../controller/reporting/status-branch/status-writer.ts';
import { captureLogs } from './capture-logs.ts';
import { manualTimers } from './manual-timers.ts';

export interface HarnessOptions {
  source: GitSource;
  stateDir: string;
  statusWriter?: StatusWriter;
  concurrency?: number;
  holder?: string;
  /** Shards: which keys this controller owns; default all. */
  owns?: (key: string) => boolean;
  /** Generations kept across controllers, as the state directory's cache keeps them. */
  generationStore?: GenerationStore;
}

/** A controller over a real source and real embedded environments, with logs captured and retries fired by hand. */
export function controllerHarness(options: HarnessOptions): {
  controller: Controller;
  metrics: ControllerMetrics;
  logs: ReturnType<typeof captureLogs>;
  clock: ReturnType<typeof manualTimers>;
} {
  const logs = captureLogs();
  const clock = manualTimers();
  const metrics = createMetrics();
  const controller = createController({
    source: options.source,
    ...(options.statusWriter ? { statusWriter: options.statusWriter } : {}),
    openDriver: (environment) => openDriver(environment.manifest, { stateDir: options.stateDir }),
    ...(options.owns ? { owns: options.owns } : {}),
    ...(options.generationStore ? { generationStore: options.generationStore } : {}),
    holder: options.holder ?? 'controller-under-test',
    leaseTtlMs: 30_000,
    logger: createLogger({ level: 'debug', destination: logs.destination }),
    metrics,
    queue: { concurrency: options.concurrency ?? 2, backoff: { baseMs: 1000, maxMs: 8000, jitter: 0 }, requeueWaitingMs: 60_000, timers: clock.timers },
  });
  return { controller, metrics, logs, clock };
}
