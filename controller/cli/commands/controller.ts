import type { Command } from 'commander';
import { readControllerConfig } from '../../config/read-config.ts';
import { startController } from '../../process/start-controller.ts';
import { createGitSource } from '../../source/create-git-source.ts';
import { createStatusWriter } from '../../reporting/status-branch/create-status-writer.ts';
import { CONFIG_FIELDS } from '../../config/controller-config.ts';
import { examplesHelp, variablesHelp } from '../options.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';

interface Options {
  config?: string;
  shard?: string;
  shards?: string;
  shardPeers?: string;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Every variable the controller reads: the file, then each field's own, from the one table of fields. */
const CONTROLLER_VARIABLES: Array<[string, string]> = [
  ['INTCTL_CONFIG', 'the configuration file, when --config is not given'],
  ...Object.values(CONFIG_FIELDS).map((field): [string, string] => [field.env, 'file' in field ? `overrides ${field.file} of the file` : 'a secret value, instead of the file its *_FILE variable names']),
];

/**
 * `intctl controller`: runs the controller until SIGTERM or SIGINT, then shuts down gracefully
 * (the reconciles in flight finish, their leases released) and exits 0. A second signal while
 * shutting down exits at once with 1. Configuration comes from the file and INTCTL_* variables;
 * the shard flags override both.
 */
export function registerController(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('controller')
    .description('run the GitOps controller: fetch the tracked branch, reconcile every environment, report status to Git')
    .option('--config <file>', 'the YAML configuration file (default: $INTCTL_CONFIG); INTCTL_* variables override its fields')
    .option('--shard <i>', "this replica's shard, from 0, or a StatefulSet pod name ending in its ordinal (default: $INTCTL_SHARD, or 0)")
    .option('--shards <n>', 'how many replicas share the environments (default: $INTCTL_SHARDS, or 1)')
    .option('--shard-peers <urls>', 'every replica\'s URL: a template with {i}, or n URLs separated by commas (default: $INTCTL_SHARD_PEERS)')
    .addHelpText('after', examplesHelp([
      ["intctl controller --config controller.yaml", "run the controller with a configuration file"],
      ["INTCTL_GIT_URL=https://github.com/acme/integrations.git INTCTL_WEBHOOK_TOKEN_FILE=token intctl controller", "run it from variables only, with the generic webhook intctl reconcile calls"],
    ]))
    .addHelpText('after', variablesHelp(CONTROLLER_VARIABLES))
    .addHelpText('after', exitCodeHelp({ ok: 'stopped by SIGTERM or SIGINT, after the reconciles in flight finished', failed: 'a second signal while shutting down, or a failure to start', usage: 'usage error: an unknown option, or an invalid configuration (each field named)' }))
    .action(async (options: Options) => {
      const flags = {
        ...(options.shard !== undefined ? { shardIndex: options.shard } : {}),
        ...(options.shards !== undefined ? { shardCount: options.shards } : {}),
        ...(options.shardPeers !== undefined ? { shardPeers: options.shardPeers } : {}),
      };
      const config = await readControllerConfig({ ...(options.config !== undefined ? { file: options.config } : {}), cwd: io.cwd, flags });
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
