/**
 * Configuration, read in one place. Everything else receives a Config (or, for the controller, a
 * ControllerConfig); nothing else touches process.env.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  ConfigError,
  label,
  validateControllerConfig,
  valuesFromFile,
  withEnvironment,
  withFlags,
  type ConfigWithoutSecrets,
  type ControllerConfig,
  type FieldName,
  type GithubConfig,
  type LogLevel,
  type SecretFiles,
} from './controller-config.ts';
import { defaultStateDir } from './default-state-dir.ts';
import { readServerKeyFiles, type KeyFile } from './key-file.ts';
import { splitNotifications } from './notification-config.ts';
import { readNotifications, type NotificationsSource } from './read-notifications.ts';
import { yamlModule as yaml } from '../core/lazy-module.ts';

export interface Config {
  /**
   * Where embedded environments keep their SQLite files, and the controller its own state. For a
   * command (readConfig): `$INTCTL_STATE_DIR`, else the repository's own directory under the
   * user's XDG state directory, outside every work tree (defaultStateDir).
   */
  stateDir: string;
  /** Who takes apply leases: a stable name per controller process. */
  holder: string;
  /** How long an apply lease lasts without renewal. */
  leaseTtlMs: number;
  /**
   * The variables `{ env: NAME }` secret references are read from (an http environment's
   * spec.token, a connection's secrets in the runtime): the process's own.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A command's configuration: with where its state directory comes from, for messages that name it. */
export interface CommandConfig extends Config {
  stateDirFrom: 'INTCTL_STATE_DIR' | 'default';
  /**
   * Where generated artifacts are cached across runs, content-addressed, for every repository:
   * `$INTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/intctl`, else `~/.cache/intctl`. A CI job can
   * restore it as it restores other build tools' caches.
   */
  cacheDir: string;
  /** Past this size (`$INTCTL_CACHE_MAX_BYTES`, default 512 MiB), the least recently used entries go. */
  cacheMaxBytes: number;
}

/** The default bound of the artifact cache. */
export const DEFAULT_CACHE_MAX_BYTES = 512 * 1024 * 1024;

/**
 * The command line's configuration. `repository` is the real path of the repository the command
 * reads: the default state directory is that repository's own, the same from every directory
 * inside it and never another repository's. A relative `$INTCTL_STATE_DIR` resolves against `cwd`.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), repository = cwd): CommandConfig {
  const given = env.INTCTL_STATE_DIR || undefined;
  return {
    stateDir: given === undefined ? defaultStateDir(stateHome(env), repository) : resolve(cwd, given),
    stateDirFrom: given === undefined ? 'default' : 'INTCTL_STATE_DIR',
    cacheDir: cacheDirectory(env, cwd),
    cacheMaxBytes: positiveInteger(env.INTCTL_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_BYTES, 'INTCTL_CACHE_MAX_BYTES'),
    holder: env.INTCTL_HOLDER ?? defaultHolder(env),
    leaseTtlMs: positiveInteger(env.INTCTL_LEASE_TTL_MS, 30_000, 'INTCTL_LEASE_TTL_MS'),
    env,
  };
}

/** Where the CLI keeps its caches: `$INTCTL_CACHE_DIR` (relative to `cwd`), else `$XDG_CACHE_HOME/intctl`, else `~/.cache/intctl`. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return env.INTCTL_CACHE_DIR ? resolve(cwd, env.INTCTL_CACHE_DIR) : join(cacheHome(env), 'intctl');
}

export interface ReadControllerConfigOptions {
  /** The YAML file (`--config`); else `INTCTL_CONFIG`; else variables only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values of command-line flags (`--shard 2`), by field: they override the variables and the file. */
  flags?: Partial<Record<FieldName, string>>;
}

/** A secret file larger than this is a mistake (a key file given where a token file belongs). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * The configuration of the controller `intctl demo` serves its dashboard with: tracking the demo's
 * throwaway repository every few seconds, into the demo's state directory, on a loopback port.
 * The process's variables still give what the demo leaves open (the API token:
 * `INTCTL_API_TOKEN` or `INTCTL_API_TOKEN_FILE`); a configuration file is never read.
 */
export async function readDemoControllerConfig(options: { repo: string; stateDir: string; port: number; apiTokenFile?: string; env?: NodeJS.ProcessEnv }): Promise<ControllerConfig> {
  const { INTCTL_CONFIG: _ignored, ...env } = options.env ?? process.env;
  const given = env.INTCTL_API_TOKEN !== undefined || env.INTCTL_API_TOKEN_FILE !== undefined;
  return readControllerConfig({
    cwd: options.stateDir,
    env: {
      ...env,
      INTCTL_GIT_URL: options.repo,
      INTCTL_GIT_BRANCH: 'main',
      INTCTL_STATE_DIR: options.stateDir,
      INTCTL_POLL_SCHEDULE: '*/3 * * * * *',
      INTCTL_POLL_JITTER_MS: '0',
      INTCTL_LISTEN_HOST: '127.0.0.1',
      INTCTL_LISTEN_PORT: String(options.port),
      INTCTL_LOG_LEVEL: env.INTCTL_LOG_LEVEL ?? 'warn',
      ...(!given && options.apiTokenFile !== undefined ? { INTCTL_API_TOKEN_FILE: options.apiTokenFile } : {}),
    },
  });
}

/**
 * The controller's configuration: the YAML file, each variable overriding its field and each flag
 * given overriding both, validated
 * (every problem at once, each naming its field), then the secret files read. Relative paths in
 * the file resolve against the file's directory, those in variables against the working directory.
 * Throws ConfigError.
 */
export async function readControllerConfig(options: ReadControllerConfigOptions = {}): Promise<ControllerConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileName = options.file ?? (env.INTCTL_CONFIG || undefined);
  let fromFile: ReturnType<typeof valuesFromFile> = { values: {}, problems: [] };
  let section: NotificationsSource['section'];
  if (fileName !== undefined) {
    const path = resolve(cwd, fileName);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigError([`--config ${fileName}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
    }
    let document: unknown;
    try {
      document = yaml().parse(text, { uniqueKeys: true });
    } catch (error) {
      throw new ConfigError([`--config ${fileName}: not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
    }
    const split = splitNotifications(document);
    fromFile = valuesFromFile(split.rest, dirname(path));
    if (split.section !== undefined) section = { value: split.section, base: dirname(path) };
  }
  const validated = validateControllerConfig(withFlags(withEnvironment(fromFile.values, env, cwd), options.flags ?? {}, cwd), { cwd, holder: defaultHolder(env) });
  const notifications = await readNotifications({ ...(section ? { section } : {}), ...('notificationsFile' in validated && validated.notificationsFile !== undefined ? { file: validated.notificationsFile } : {}) });
  if ('problems' in validated || fromFile.problems.length > 0 || notifications.problems.length > 0) {
    throw new ConfigError([...fromFile.problems, ...('problems' in validated ? validated.problems : []), ...notifications.problems]);
  }
  const { config, secretFiles, secretValues } = validated;
  const secrets = { ...secretValues, ...(await readSecretFiles(secretFiles)) };
  const { username, ...git } = config.git;
  const { github, ...rest } = config;
  return {
    ...rest,
    env,
    git: { ...git, env, ...(secrets.gitToken !== undefined ? { auth: { username, password: secrets.gitToken } } : {}) },
    webhook: {
      ...config.webhook,
      ...(secrets.githubSecret !== undefined ? { githubSecret: secrets.githubSecret } : {}),
      ...(secrets.genericToken !== undefined ? { genericToken: secrets.genericToken } : {}),
    },
    ...(github ? { github: withGithubSecrets(github, secrets) } : {}),
    notifications: notifications.config,
    api: { ...config.api, ...(secrets.apiToken !== undefined ? { token: secrets.apiToken } : {}) },
  };
}

function withGithubSecrets(github: NonNullable<ConfigWithoutSecrets['github']>, secrets: SecretFiles): GithubConfig {
  if (github.auth.kind === 'token') return { ...github, auth: { kind: 'token', token: secrets.githubToken ?? '' } };
  return { ...github, auth: { ...github.auth, privateKey: secrets.githubAppPrivateKey ?? '' } };
}

const SECRET_FIELDS: Record<keyof SecretFiles, FieldName> = {
  gitToken: 'gitTokenFile',
  githubSecret: 'webhookSecretFile',
  genericToken: 'webhookTokenFile',
  githubToken: 'githubTokenFile',
  githubAppPrivateKey: 'githubAppPrivateKeyFile',
  apiToken: 'apiTokenFile',
};

/** Reads each secret file; one trailing line break is dropped, as `echo` and editors add one. */
async function readSecretFiles(files: SecretFiles): Promise<SecretFiles> {
  const out: SecretFiles = {};
  const problems: string[] = [];
  for (const [key, path] of Object.entries(files) as Array<[keyof SecretFiles, string]>) {
    const field = label(SECRET_FIELDS[key]);
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_SECRET_FILE_BYTES) {
        problems.push(`${field}: ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
        continue;
      }
      const value = bytes.toString('utf8').replace(/\r?\n$/, '');
      if (value.trim() === '') problems.push(`${field}: ${path} is empty`);
      else out[key] = value;
    } catch (error) {
      problems.push(`${field}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * The XDG base directory for state: `$XDG_STATE_HOME`, else `~/.local/state`. A relative
 * `$XDG_STATE_HOME` is ignored, as the XDG Base Directory specification says.
 */
function stateHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return xdg;
  return join(env.HOME || homedir(), '.local', 'state');
}

function cacheHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && isAbsolute(xdg)) return xdg;
  return join(env.HOME || homedir(), '.cache');
}

function defaultHolder(env: NodeJS.ProcessEnv): string {
  return `${env.HOSTNAME ?? 'local'}-${process.pid}`;
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}

/** What `intctl environment serve` runs with. Tokens are secrets: never logged, never printed. */
export interface EnvironmentServerConfig {
  /** The environment served, as the repository names it. */
  name: string;
  listen: { host: string; port: number };
  /** A SQLite file (the default, `<stateDir>/environments/<name>.db`) or a PostgreSQL database and schema. */
  store: { kind: 'sqlite'; path: string } | { kind: 'postgresql'; url: string; schema: string };
  tokens: { controller: string; applications: string[]; operator?: string };
  /** The key-encryption key that wraps the environment's private key and fingerprint key in the store. A secret: never logged. */
  keyFile: KeyFile;
  /** During a rotation, the key file the keys may still be wrapped with: they are rewrapped with keyFile at start. */
  previousKeyFile?: KeyFile;
  /** The controller's generic webhook, called when the environment changes outside Git. */
  callback?: { url: string; token?: string };
  /** How often the state is compared with the action log to catch changes made around the API; 0: never. */
  driftCheckMs: number;
  /** Where `{ env: NAME }` secrets of connections are read: the server's own variables. */
  variables: Readonly<Record<string, string | undefined>>;
  logLevel: LogLevel;
}

/** What the command's flags give; each overrides its variable. */
export interface EnvironmentServerFlags {
  name?: string;
  host?: string;
  port?: number;
  keyFile?: string;
  previousKeyFile?: string;
}

/**
 * The environment server's configuration, from variables (each secret from a variable or from a
 * file named by `<VARIABLE>_FILE`); flags of the command override name, host, port and the key
 * files. The key file is required: without it the environment's private key would sit in the
 * clear beside the sealed values it opens. Every problem is reported at once (ConfigError).
 */
export async function readEnvironmentServerConfig(
  overrides: EnvironmentServerFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<EnvironmentServerConfig> {
  const problems: string[] = [];
  const secret = async (name: string): Promise<string | undefined> => {
    const file = env[`${name}_FILE`];
    if (file === undefined || file === '') return env[name] === '' ? undefined : env[name];
    try {
      const bytes = await readFile(resolve(cwd, file));
      if (bytes.length > MAX_SECRET_FILE_BYTES) problems.push(`${name}_FILE: ${file} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
      else return bytes.toString('utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return undefined;
  };
  const name = overrides.name ?? env.INTCTL_ENV_SERVER_NAME;
  if (name === undefined || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) problems.push('the environment name (--name or INTCTL_ENV_SERVER_NAME) must be a lowercase DNS label');
  const port = overrides.port ?? Number(env.INTCTL_ENV_SERVER_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('the port (--port or INTCTL_ENV_SERVER_PORT) must be a whole number from 0 to 65535');
  const controller = await secret('INTCTL_ENV_SERVER_CONTROLLER_TOKEN');
  if (controller === undefined || controller.trim().length < 16) problems.push('INTCTL_ENV_SERVER_CONTROLLER_TOKEN (or _FILE) must give a token of at least 16 characters');
  const applications = ((await secret('INTCTL_ENV_SERVER_APPLICATION_TOKENS')) ?? '').split(/[\s,]+/).filter((t) => t !== '');
  if (applications.some((t) => t.length < 16)) problems.push('INTCTL_ENV_SERVER_APPLICATION_TOKENS: every token must have at least 16 characters');
  const operator = await secret('INTCTL_ENV_SERVER_OPERATOR_TOKEN');
  if (operator !== undefined && operator.trim().length < 16) problems.push('INTCTL_ENV_SERVER_OPERATOR_TOKEN must have at least 16 characters');
  const callbackUrl = env.INTCTL_ENV_SERVER_CALLBACK_URL || undefined;
  if (callbackUrl !== undefined && !URL.canParse(callbackUrl)) problems.push('INTCTL_ENV_SERVER_CALLBACK_URL must be a URL');
  const callbackToken = await secret('INTCTL_ENV_SERVER_CALLBACK_TOKEN');
  const driftCheckMs = Number(env.INTCTL_ENV_SERVER_DRIFT_CHECK_MS ?? 30_000);
  if (!Number.isInteger(driftCheckMs) || driftCheckMs < 0) problems.push('INTCTL_ENV_SERVER_DRIFT_CHECK_MS must be a whole number of milliseconds (0: off)');
  const logLevel = (env.INTCTL_LOG_LEVEL ?? 'info') as LogLevel;
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) problems.push('INTCTL_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent');
  const databaseUrl = env.INTCTL_ENV_SERVER_DATABASE_URL || undefined;
  const schema = env.INTCTL_ENV_SERVER_DATABASE_SCHEMA || 'intctl';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) problems.push('INTCTL_ENV_SERVER_DATABASE_SCHEMA must be a lowercase SQL identifier');
  const keys = await readServerKeyFiles(overrides, env, cwd);
  problems.push(...keys.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const stateDir = env.INTCTL_STATE_DIR ?? `${cwd}/.intctl`;
  return {
    name: name!,
    listen: { host: overrides.host ?? env.INTCTL_ENV_SERVER_HOST ?? '127.0.0.1', port },
    store: databaseUrl
      ? { kind: 'postgresql', url: databaseUrl, schema }
      : { kind: 'sqlite', path: resolve(cwd, env.INTCTL_ENV_SERVER_STORE ?? `${stateDir}/environments/${name}.db`) },
    tokens: { controller: controller!.trim(), applications, ...(operator !== undefined ? { operator: operator.trim() } : {}) },
    keyFile: keys.keyFile!,
    ...(keys.previousKeyFile ? { previousKeyFile: keys.previousKeyFile } : {}),
    ...(callbackUrl ? { callback: { url: callbackUrl, ...(callbackToken !== undefined ? { token: callbackToken.trim() } : {}) } } : {}),
    driftCheckMs,
    variables: env,
    logLevel,
  };
}

/** What the command line reads of the terminal's conventions. */
export interface TerminalConfig {
  /** False when NO_COLOR is set to anything but the empty string (no-color.org). */
  color: boolean;
}

/** The terminal conventions of the variables: NO_COLOR turns colour off. */
export function readTerminalConfig(env: NodeJS.ProcessEnv = process.env): TerminalConfig {
  return { color: (env.NO_COLOR ?? '') === '' };
}

/** How the command line reaches a running controller: its URL and the token it is asked with. */
export interface ControllerClientConfig {
  url: string;
  /** The bearer token: the controller's generic webhook token. A secret: never printed. */
  token?: string;
  /** Where the token came from, for messages: `--token-file <path>` or `INTCTL_TOKEN`. */
  tokenFrom?: string;
}

/**
 * The controller a command talks to (`--server`), with its token from `--token-file` (one trailing
 * line break dropped) or else `INTCTL_TOKEN`. Throws ConfigError naming the flag or variable.
 */
export async function readControllerClientConfig(flags: { server: string; tokenFile?: string }, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<ControllerClientConfig> {
  const problems: string[] = [];
  if (!URL.canParse(flags.server) || !/^https?:$/.test(new URL(flags.server).protocol)) problems.push(`--server ${flags.server}: must be an http or https URL`);
  let token: string | undefined;
  let tokenFrom: string | undefined;
  if (flags.tokenFile !== undefined) {
    tokenFrom = `--token-file ${flags.tokenFile}`;
    try {
      const bytes = await readFile(resolve(cwd, flags.tokenFile));
      if (bytes.length > MAX_SECRET_FILE_BYTES) problems.push(`${tokenFrom}: larger than ${MAX_SECRET_FILE_BYTES} bytes`);
      else token = bytes.toString('utf8').replace(/\r?\n$/, '');
      if (token !== undefined && token.trim() === '') problems.push(`${tokenFrom}: the file is empty`);
    } catch (error) {
      problems.push(`${tokenFrom}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else if ((env.INTCTL_TOKEN ?? '') !== '') {
    token = env.INTCTL_TOKEN;
    tokenFrom = 'INTCTL_TOKEN';
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { url: flags.server.replace(/\/+$/, ''), ...(token !== undefined ? { token: token.trim(), tokenFrom: tokenFrom! } : {}) };
}
