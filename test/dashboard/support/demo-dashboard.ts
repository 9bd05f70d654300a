import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../../controller/demo/run-demo.ts';
import { serveDemoDashboard } from '../../../controller/demo/serve-demo-dashboard.ts';
import type { RunningController } from '../../../controller/process/start-controller.ts';
import { captureLogs } from '../../runtime/support/capture-logs.ts';
import { until } from '../../support/time.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');
export const API_TOKEN = 'dashboard-test-token';

export interface DemoDashboardWorld {
  work: string;
  repo: string;
  stateDir: string;
  running: RunningController;
  url: string;
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

/**
 * What `npm start` ends with in a terminal: the demo run on a throwaway copy of examples/, then
 * the controller serving the dashboard over the demo's environments, once it has reconciled all
 * three. The API token comes from a variable, as an operator would give it.
 */
export async function startDemoDashboard(): Promise<DemoDashboardWorld> {
  const work = await mkdtemp(join(tmpdir(), 'intctl-dashboard-'));
  const { repo, stateDir } = await runDemo({ examples: EXAMPLES, config: { holder: 'demo', leaseTtlMs: 30_000 }, write: () => undefined, workDir: work });
  const logs = captureLogs();
  const { running } = await serveDemoDashboard({
    repo,
    stateDir,
    port: 0,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, INTCTL_API_TOKEN: API_TOKEN, INTCTL_LOG_LEVEL: 'info' },
    logDestination: logs.destination,
  });
  await until('the controller to reconcile dev, test and prod', () => running.controller.statuses().length === 3, { explain: logs.text });
  await running.controller.queue.idle();
  return {
    work,
    repo,
    stateDir,
    running,
    url: running.url,
    logs,
    close: async () => {
      await running.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
}
