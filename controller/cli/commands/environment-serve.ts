import type { Command } from 'commander';
import { readEnvironmentServerConfig } from '../../config/read-config.ts';
import { startEnvironmentServer } from '../../environment-server/start-environment-server.ts';
import { examplesHelp, variablesHelp } from '../options.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';

interface Options {
  name?: string;
  host?: string;
  port?: string;
  keyFile?: string;
  previousKeyFile?: string;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Every variable the server reads (readEnvironmentServerConfig); each secret also from a file named by <VARIABLE>_FILE. */
export const SERVER_VARIABLES: Array<[string, string]> = [
  ['INTCTL_ENV_SERVER_NAME', 'the environment, when --name is not given'],
  ['INTCTL_ENV_SERVER_HOST', 'the address to listen on, when --host is not given (127.0.0.1)'],
  ['INTCTL_ENV_SERVER_PORT', 'the port to listen on, when --port is not given (8080)'],
  ['INTCTL_ENVIRONMENT_KEY_FILE', 'the key file, when --key-file is not given'],
  ['INTCTL_ENVIRONMENT_PREVIOUS_KEY_FILE', 'the key file being rotated from, when --previous-key-file is not given'],
  ['INTCTL_ENV_SERVER_CONTROLLER_TOKEN', "the controller's token, at least 16 characters (or _FILE)"],
  ['INTCTL_ENV_SERVER_APPLICATION_TOKENS', "applications' tokens, separated by commas or spaces (or _FILE)"],
  ['INTCTL_ENV_SERVER_OPERATOR_TOKEN', "an operator's token (or _FILE)"],
  ['INTCTL_ENV_SERVER_CALLBACK_URL', "the controller's generic webhook, called when the environment changes outside Git"],
  ['INTCTL_ENV_SERVER_CALLBACK_TOKEN', 'the bearer token of that webhook (or _FILE)'],
  ['INTCTL_ENV_SERVER_DRIFT_CHECK_MS', 'how often the state is compared with the action log (30000; 0: never)'],
  ['INTCTL_ENV_SERVER_DATABASE_URL', 'a PostgreSQL database instead of the SQLite file'],
  ['INTCTL_ENV_SERVER_DATABASE_SCHEMA', 'the PostgreSQL schema (intctl)'],
  ['INTCTL_ENV_SERVER_STORE', 'the SQLite file (default: $INTCTL_STATE_DIR/environments/<name>.db)'],
  ['INTCTL_STATE_DIR', 'where the SQLite file is kept by default (./.intctl)'],
  ['INTCTL_LOG_LEVEL', 'fatal, error, warn, info (the default), debug, trace or silent'],
  ['<any>', "the variables connections' { env: NAME } secrets name, read when an action runs"],
];

const KEY_FILE_HELP = `
The key file:
  The store (SQLite file or PostgreSQL schema) keeps the environment's private key and
  fingerprint key only wrapped with the key file, so a copy or dump of the store opens no
  sealed value without it. Keep it apart from the store's backups; losing it loses every
  sealed value of the environment. Make one, then mount it (a Kubernetes Secret):
    intctl environment keygen --out environment.key
  A store whose keys are still in the clear is wrapped at the first start with a key file.
  Rotate: start with --key-file <new> --previous-key-file <old> (docs/operations.md).`;

/**
 * `intctl environment serve`: the environment server of one environment (the Environment API,
 * specs/environment-api.yaml), over a SQLite file or, with INTCTL_ENV_SERVER_DATABASE_URL, a
 * PostgreSQL database several replicas share, with the environment's keys wrapped with a key file.
 * Runs until SIGTERM or SIGINT, then closes. Standard output carries JSON log lines only (the line
 * `environment server listening` names the address), so that `jq` and log shippers can read all of it.
 */
export function registerEnvironmentServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const environment = program.commands.find((c) => c.name() === 'environment') ?? program.command('environment').description('run the environment server');
  environment
    .command('serve')
    .description('serve an environment over the Environment API: state, leases, applies, and the actions of its published integrations')
    .option('--name <name>', 'the environment (default: $INTCTL_ENV_SERVER_NAME)')
    .option('--host <host>', 'the address to listen on (default: $INTCTL_ENV_SERVER_HOST, else 127.0.0.1)')
    .option('--port <port>', 'the port to listen on (default: $INTCTL_ENV_SERVER_PORT, else 8080)')
    .option('--key-file <path>', "required: the key file that wraps the environment's private key in the store, kept apart from the database (default: $INTCTL_ENVIRONMENT_KEY_FILE); intctl environment keygen makes one")
    .option('--previous-key-file <path>', 'while rotating the key file: the one the keys are wrapped with now; they are rewrapped with --key-file at start (default: $INTCTL_ENVIRONMENT_PREVIOUS_KEY_FILE)')
    .addHelpText('after', examplesHelp([
      ["intctl environment serve --name prod --key-file /var/run/secrets/intctl/key", "serve prod from a SQLite file under $INTCTL_STATE_DIR"],
      ["INTCTL_ENV_SERVER_DATABASE_URL=postgres://intctl@db/intctl intctl environment serve --name prod --key-file key", "serve prod from PostgreSQL, shared by several replicas"],
    ]))
    .addHelpText('after', KEY_FILE_HELP)
    .addHelpText('after', variablesHelp(SERVER_VARIABLES))
    .addHelpText('after', exitCodeHelp({ ok: 'stopped by SIGTERM or SIGINT', failed: 'a failure to start (the store cannot be opened, the key file does not open its keys, the port is taken)', usage: 'usage error: an unknown option, or an invalid configuration such as a missing or unreadable key file (each problem named)' }))
    .action(async (options: Options) => {
      const port = options.port === undefined ? undefined : Number(options.port);
      if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be a whole number, not ${JSON.stringify(options.port)}`);
      const flags = {
        ...(options.name ? { name: options.name } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(options.keyFile ? { keyFile: options.keyFile } : {}),
        ...(options.previousKeyFile ? { previousKeyFile: options.previousKeyFile } : {}),
      };
      const config = await readEnvironmentServerConfig(flags, undefined, io.cwd);
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
