import type { Command } from 'commander';
import { readControllerConfig } from '../../config/read-config.ts';
import { startController } from '../../runtime/start-controller.ts';
import { createGitSource } from '../../source/create-git-source.ts';
import { createStatusWriter } from '../../source/create-status-writer.ts';
import { EXIT, type CliIo } from '../io.ts';

interface Options {
  config?: string;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `intctl controller`: runs the controller until SIGTERM or SIGINT, then shuts down gracefully
 * (the reconciles in flight finish, their leases released) and exits 0. A second signal while
 * shutting down exits at once with 1. Configuration comes from the file and INTCTL_* variables.
 */
export function registerController(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('controller')
    .description('run the GitOps controller: fetch the tracked branch, reconcile every environment, report status to Git')
    .option('--config <file>', 'the YAML configuration file (default: $INTCTL_CONFIG); INTCTL_* variables override its fields')
    .action(async (options: Options) => {
      const config = await readControllerConfig({ ...(options.config !== undefined ? { file: options.config } : {}), cwd: io.cwd });
      // Listening before starting: a signal during startup stops the controller once it has started.
      const signalled = new Promise<NodeJS.Signals>((resolve) => {
        for (const name of SIGNALS) process.once(name, () => resolve(name));
      });
      const running = await startController(config, { createGitSource, createStatusWriter });
      const signal = await signalled;
      running.logger.info({ signal }, 'signal received');
      const again = (): void => {
        running.logger.warn('second signal: exiting without waiting');
        running.logger.flush();
        process.exit(EXIT.failed);
      };
      for (const name of SIGNALS) process.once(name, again);
      await running.stop();
      for (const name of SIGNALS) process.removeListener(name, again);
      setExit(EXIT.ok);
    });
}
