import type { Command } from 'commander';
import { readEnvironmentServerConfig } from '../../config/read-config.ts';
import { startEnvironmentServer } from '../../environment-server/start-environment-server.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';

interface Options {
  name?: string;
  host?: string;
  port?: string;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * `intctl environment serve`: the environment server of one environment (the Environment API,
 * specs/environment-api.yaml), over a SQLite file or, with INTCTL_ENV_SERVER_DATABASE_URL, a
 * PostgreSQL database several replicas share. Runs until SIGTERM or SIGINT, then closes.
 * Standard output carries JSON log lines only (the line `environment server listening` names
 * the address), so that `jq` and log shippers can read all of it.
 */
export function registerEnvironmentServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const environment = program.commands.find((c) => c.name() === 'environment') ?? program.command('environment').description('run the environment server');
  environment
    .command('serve')
    .description('serve an environment over the Environment API: state, leases, applies, and the actions of its published integrations')
    .option('--name <name>', 'the environment (default: $INTCTL_ENV_SERVER_NAME)')
    .option('--host <host>', 'the address to listen on (default: $INTCTL_ENV_SERVER_HOST, else 127.0.0.1)')
    .option('--port <port>', 'the port to listen on (default: $INTCTL_ENV_SERVER_PORT, else 8080)')
    .addHelpText('after', exitCodeHelp({ ok: 'stopped by SIGTERM or SIGINT', failed: 'a failure to start (the store cannot be opened, the port is taken)', usage: 'usage error: an unknown option, or an invalid configuration (each problem named)' }))
    .action(async (options: Options) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be a whole number, not ${JSON.stringify(options.port)}`);
      const config = await readEnvironmentServerConfig({ ...(options.name ? { name: options.name } : {}), ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) }, undefined, io.cwd);
      const signalled = new Promise<NodeJS.Signals>((resolve) => {
        for (const name of SIGNALS) process.once(name, () => resolve(name));
      });
      const running = await startEnvironmentServer(config);
      const signal = await signalled;
      running.logger.info({ signal }, 'signal received; closing');
      await running.stop();
      setExit(EXIT.ok);
    });
}
