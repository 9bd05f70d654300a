import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { readDemoControllerConfig } from '../config/read-config.ts';
import { startController, type RunningController } from '../process/start-controller.ts';
import { createStatusWriter } from '../reporting/status-branch/create-status-writer.ts';
import { createGitSource } from '../source/create-git-source.ts';

export interface DemoDashboardOptions {
  /** The demo's throwaway repository and state directory (runDemo's result). */
  repo: string;
  stateDir: string;
  /** 0: any free port. */
  port: number;
  /** The variables the controller's configuration may take the API token from; the process's by default. */
  env?: NodeJS.ProcessEnv;
  logDestination?: DestinationStream;
}

export interface DemoDashboard {
  running: RunningController;
  /** The file holding the API token of "reconcile now" (made for the demo unless one was given). */
  tokenFile?: string;
}

/**
 * The end of `intctl demo` in a terminal: the controller itself, tracking the demo's throwaway
 * repository (polled every 3 seconds) over the demo's environments, with its dashboard on a
 * loopback port. A commit to that repository shows up on the open page. Unless the variables
 * name an API token, a random one is written to a file (mode 0600) beside the repository, so
 * "reconcile now" can be tried.
 */
export async function serveDemoDashboard(options: DemoDashboardOptions): Promise<DemoDashboard> {
  const tokenFile = join(options.stateDir, '..', 'api-token');
  const token = randomBytes(24).toString('base64url');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  const config = await readDemoControllerConfig({ repo: options.repo, stateDir: options.stateDir, port: options.port, apiTokenFile: tokenFile, ...(options.env ? { env: options.env } : {}) });
  const running = await startController(config, {
    createGitSource,
    createStatusWriter,
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  // A token the variables gave stands: the file made here is then not the one to use.
  return { running, ...(config.api.token === token ? { tokenFile } : {}) };
}
