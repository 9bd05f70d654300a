/**
 * The controller's configuration: what `intctl controller` runs with, the fields it may be given
 * in a YAML file or environment variables, and their validation. Pure: `readControllerConfig`
 * (./read-config.ts) reads the file, the variables and the secret files and hands them over.
 */
import { isAbsolute, resolve } from 'node:path';
import { validateDetailed } from 'node-cron';
import { editDistance } from '../core/edit-distance.ts';
import type { Config } from './read-config.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Everything the controller runs with, validated, with paths absolute and secret files read. */
export interface ControllerConfig extends Config {
  git: {
    /** https://, ssh://, scp-like (git@host:org/repo.git), file:// or a local path (made absolute). */
    url: string;
    branch: string;
    /** HTTP basic credentials for https: the token read from `git.tokenFile`. */
    auth?: { username: string; password: string };
    ssh?: { privateKeyPath: string; knownHostsPath?: string };
    timeoutMs: number;
    /** The environment git runs in (PATH, HOME, proxy and CA settings): the controller's own. */
    env: Readonly<Record<string, string | undefined>>;
  };
  /** `schedule` undefined: polling is off (`poll.schedule: off`). */
  poll: { schedule?: string; jitterMs: number };
  webhook: {
    /** Verifies `X-Hub-Signature-256` on POST /webhooks/github; the route is absent without it. */
    githubSecret?: string;
    /** The bearer token of POST /webhooks/generic; the route is absent without it. */
    genericToken?: string;
    /** How many `X-GitHub-Delivery` ids are remembered to refuse replays. */
    deliveryCacheSize: number;
  };
  /** A local directory whose changes enqueue every environment (a workstation's repository). */
  watch?: { dir: string; debounceMs: number };
  listen: { host: string; port: number };
  statusBranch: string;
  /** Author and committer of status commits. */
  statusAuthor: { name: string; email: string };
  queue: { concurrency: number; backoffBaseMs: number; backoffMaxMs: number; requeueWaitingMs: number };
  logLevel: LogLevel;
}

type Kind = 'string' | 'email' | 'wholeNumber' | 'branch' | 'gitUrl' | 'path' | 'secretFile' | 'secretValue' | 'positiveInteger' | 'port' | 'cron' | 'logLevel';

interface FieldSpec {
  /** The dotted path of the field in the YAML file; undefined for what only a variable may give. */
  file?: string;
  env: string;
  kind: Kind;
}

/**
 * Every field, the variable that overrides it, and its kind. Secret values are never in the file:
 * the file names a file that holds them, and a variable may carry the value itself (a Kubernetes
 * Secret mapped into the environment).
 */
export const CONFIG_FIELDS = {
  gitUrl: { file: 'git.url', env: 'INTCTL_GIT_URL', kind: 'gitUrl' },
  gitBranch: { file: 'git.branch', env: 'INTCTL_GIT_BRANCH', kind: 'branch' },
  gitUsername: { file: 'git.username', env: 'INTCTL_GIT_USERNAME', kind: 'string' },
  gitTokenFile: { file: 'git.tokenFile', env: 'INTCTL_GIT_TOKEN_FILE', kind: 'secretFile' },
  gitSshKeyFile: { file: 'git.sshKeyFile', env: 'INTCTL_GIT_SSH_KEY_FILE', kind: 'path' },
  gitKnownHostsFile: { file: 'git.knownHostsFile', env: 'INTCTL_GIT_KNOWN_HOSTS_FILE', kind: 'path' },
  gitTimeoutMs: { file: 'git.timeoutMs', env: 'INTCTL_GIT_TIMEOUT_MS', kind: 'positiveInteger' },
  pollSchedule: { file: 'poll.schedule', env: 'INTCTL_POLL_SCHEDULE', kind: 'cron' },
  pollJitterMs: { file: 'poll.jitterMs', env: 'INTCTL_POLL_JITTER_MS', kind: 'wholeNumber' },
  webhookSecret: { env: 'INTCTL_WEBHOOK_SECRET', kind: 'secretValue' },
  webhookSecretFile: { file: 'webhook.githubSecretFile', env: 'INTCTL_WEBHOOK_SECRET_FILE', kind: 'secretFile' },
  webhookToken: { env: 'INTCTL_WEBHOOK_TOKEN', kind: 'secretValue' },
  webhookTokenFile: { file: 'webhook.genericTokenFile', env: 'INTCTL_WEBHOOK_TOKEN_FILE', kind: 'secretFile' },
  deliveryCacheSize: { file: 'webhook.deliveryCacheSize', env: 'INTCTL_WEBHOOK_DELIVERY_CACHE_SIZE', kind: 'positiveInteger' },
  watchDir: { file: 'watch.dir', env: 'INTCTL_WATCH_DIR', kind: 'path' },
  watchDebounceMs: { file: 'watch.debounceMs', env: 'INTCTL_WATCH_DEBOUNCE_MS', kind: 'positiveInteger' },
  listenHost: { file: 'listen.host', env: 'INTCTL_LISTEN_HOST', kind: 'string' },
  listenPort: { file: 'listen.port', env: 'INTCTL_LISTEN_PORT', kind: 'port' },
  stateDir: { file: 'stateDir', env: 'INTCTL_STATE_DIR', kind: 'path' },
  statusBranch: { file: 'statusBranch', env: 'INTCTL_STATUS_BRANCH', kind: 'branch' },
  statusAuthorName: { file: 'statusAuthor.name', env: 'INTCTL_STATUS_AUTHOR_NAME', kind: 'string' },
  statusAuthorEmail: { file: 'statusAuthor.email', env: 'INTCTL_STATUS_AUTHOR_EMAIL', kind: 'email' },
  leaseTtlMs: { file: 'leaseTtlMs', env: 'INTCTL_LEASE_TTL_MS', kind: 'positiveInteger' },
  holder: { file: 'holder', env: 'INTCTL_HOLDER', kind: 'string' },
  concurrency: { file: 'queue.concurrency', env: 'INTCTL_QUEUE_CONCURRENCY', kind: 'positiveInteger' },
  backoffBaseMs: { file: 'queue.backoffBaseMs', env: 'INTCTL_BACKOFF_BASE_MS', kind: 'positiveInteger' },
  backoffMaxMs: { file: 'queue.backoffMaxMs', env: 'INTCTL_BACKOFF_MAX_MS', kind: 'positiveInteger' },
  requeueWaitingMs: { file: 'queue.requeueWaitingMs', env: 'INTCTL_REQUEUE_WAITING_MS', kind: 'positiveInteger' },
  logLevel: { file: 'logLevel', env: 'INTCTL_LOG_LEVEL', kind: 'logLevel' },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof CONFIG_FIELDS;

/** One given value, and where it came from: relative paths resolve against `base`. */
export interface GivenValue {
  value: unknown;
  /** `file <path>` or `env`. */
  source: 'file' | 'env';
  base: string;
}

/** The values given, by field: what the file holds, with each variable overriding its field. */
export type GivenValues = Partial<Record<FieldName, GivenValue>>;

/** A configuration problem, naming the field (and the variable when one gave the value). */
export class ConfigError extends Error {
  readonly reason = 'InvalidConfiguration';
  constructor(readonly problems: string[]) {
    super(`invalid controller configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Fields that are secret files: read by the caller after validation, into the values named. */
export interface SecretFiles {
  gitToken?: string;
  githubSecret?: string;
  genericToken?: string;
}

export interface Defaults {
  cwd: string;
  /** A stable name for this process: host and pid. */
  holder: string;
}

/** The dotted YAML paths a file may hold, for "did you mean" on unknown fields. */
export const FILE_FIELDS: ReadonlyMap<string, FieldName> = new Map(
  Object.entries(CONFIG_FIELDS).flatMap(([name, spec]) => ('file' in spec ? [[spec.file, name as FieldName] as const] : [])),
);

/**
 * Flattens a parsed YAML file into given values, and lists the fields it names that do not exist
 * (a typo must not silently leave a default in place).
 */
export function valuesFromFile(document: unknown, base: string): { values: GivenValues; problems: string[] } {
  const values: GivenValues = {};
  const problems: string[] = [];
  if (document === null || document === undefined) return { values, problems };
  if (typeof document !== 'object' || Array.isArray(document)) return { values, problems: ['the configuration file must hold a mapping of fields'] };
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const field = FILE_FIELDS.get(path);
      if (field) {
        values[field] = { value, source: 'file', base };
        continue;
      }
      const isSection = [...FILE_FIELDS.keys()].some((known) => known.startsWith(`${path}.`));
      if (isSection && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value as Record<string, unknown>, path);
        continue;
      }
      problems.push(isSection ? `${path}: must be a mapping` : `${path}: unknown field${suggest(path)}`);
    }
  };
  walk(document as Record<string, unknown>, '');
  return { values, problems };
}

function suggest(path: string): string {
  // A secret value where the file holding it belongs.
  if (FILE_FIELDS.has(`${path}File`)) return ` (did you mean ${path}File? a secret is given as a file that holds it)`;
  let best: string | undefined;
  let distance = 3;
  for (const known of FILE_FIELDS.keys()) {
    const d = editDistance(path.toLowerCase(), known.toLowerCase());
    if (d < distance) [best, distance] = [known, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

/** The given values with each set variable laid over its field. */
export function withEnvironment(values: GivenValues, env: NodeJS.ProcessEnv, cwd: string): GivenValues {
  const out: GivenValues = { ...values };
  for (const [name, spec] of Object.entries(CONFIG_FIELDS) as Array<[FieldName, FieldSpec]>) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') out[name] = { value, source: 'env', base: cwd };
  }
  return out;
}

/** The configuration before secret files are read: their paths stand where their values will. */
export type ConfigWithoutSecrets = Omit<ControllerConfig, 'git' | 'webhook'> & {
  git: Omit<ControllerConfig['git'], 'auth' | 'env'> & { username: string };
  webhook: Omit<ControllerConfig['webhook'], 'githubSecret' | 'genericToken'>;
};

export type ValidatedConfig = { config: ConfigWithoutSecrets; secretFiles: SecretFiles; secretValues: SecretFiles } | { problems: string[] };

/**
 * Validates the given values and fills in defaults. Every problem is reported at once, each naming
 * its field. Secrets come back apart from the rest: the paths of the files that hold them
 * (`secretFiles`), or, from variables, the values themselves (`secretValues`); a message never
 * echoes a secret.
 */
export function validateControllerConfig(given: GivenValues, defaults: Defaults): ValidatedConfig {
  const problems: string[] = [];
  const optional = (name: FieldName): string | number | undefined => {
    const item = given[name];
    if (item === undefined) return undefined;
    const checked = check(name, item);
    if (typeof checked !== 'object') return checked;
    problems.push(checked.problem);
    return undefined;
  };
  const text = (name: FieldName, fallback: string): string => String(optional(name) ?? fallback);
  const whole = (name: FieldName, fallback: number): number => Number(optional(name) ?? fallback);

  const url = optional('gitUrl');
  if (url === undefined && given.gitUrl === undefined) problems.push(`${label('gitUrl')}: required: the Git repository the controller tracks`);
  const pollSchedule = text('pollSchedule', '* * * * *');
  const watchDir = optional('watchDir');
  const sshKeyFile = optional('gitSshKeyFile');
  const knownHosts = optional('gitKnownHostsFile');
  const tokenFile = optional('gitTokenFile');
  if (knownHosts !== undefined && sshKeyFile === undefined) problems.push(`${label('gitKnownHostsFile')}: only used with ${label('gitSshKeyFile')}, which is not given`);
  if (tokenFile !== undefined && sshKeyFile !== undefined) problems.push(`${label('gitTokenFile')} and ${label('gitSshKeyFile')}: give one way to authenticate, not both`);

  const secretFiles: SecretFiles = {};
  const secretValues: SecretFiles = {};
  if (tokenFile !== undefined) secretFiles.gitToken = String(tokenFile);
  for (const [valueField, fileField, key] of [
    ['webhookSecret', 'webhookSecretFile', 'githubSecret'],
    ['webhookToken', 'webhookTokenFile', 'genericToken'],
  ] as const) {
    const value = optional(valueField);
    const file = optional(fileField);
    if (value !== undefined && file !== undefined) problems.push(`${label(valueField)} and ${label(fileField)}: give the value or a file that holds it, not both`);
    if (value !== undefined) secretValues[key] = String(value);
    if (file !== undefined) secretFiles[key] = String(file);
  }

  const backoffBaseMs = whole('backoffBaseMs', 1000);
  const backoffMaxMs = whole('backoffMaxMs', 300_000);
  if (backoffMaxMs < backoffBaseMs) problems.push(`${label('backoffMaxMs')}: must be at least ${label('backoffBaseMs')} (${backoffBaseMs})`);

  const config: ConfigWithoutSecrets = {
    git: {
      url: String(url ?? ''),
      branch: text('gitBranch', 'main'),
      username: text('gitUsername', 'x-access-token'),
      ...(sshKeyFile !== undefined ? { ssh: { privateKeyPath: String(sshKeyFile), ...(knownHosts !== undefined ? { knownHostsPath: String(knownHosts) } : {}) } } : {}),
      timeoutMs: whole('gitTimeoutMs', 120_000),
    },
    poll: { ...(pollSchedule === 'off' ? {} : { schedule: pollSchedule }), jitterMs: whole('pollJitterMs', 10_000) },
    webhook: { deliveryCacheSize: whole('deliveryCacheSize', 10_000) },
    ...(watchDir !== undefined ? { watch: { dir: String(watchDir), debounceMs: whole('watchDebounceMs', 500) } } : {}),
    listen: { host: text('listenHost', '0.0.0.0'), port: whole('listenPort', 8080) },
    stateDir: text('stateDir', resolve(defaults.cwd, '.intctl')),
    statusBranch: text('statusBranch', 'intctl/status'),
    statusAuthor: { name: text('statusAuthorName', 'intctl'), email: text('statusAuthorEmail', 'intctl@localhost') },
    leaseTtlMs: whole('leaseTtlMs', 30_000),
    holder: text('holder', defaults.holder),
    queue: { concurrency: whole('concurrency', 4), backoffBaseMs, backoffMaxMs, requeueWaitingMs: whole('requeueWaitingMs', 60_000) },
    logLevel: text('logLevel', 'info') as LogLevel,
  };
  if (config.git.branch === config.statusBranch) {
    problems.push(`${label('statusBranch')}: must differ from ${label('gitBranch')} (${config.git.branch}): status commits never go to the tracked branch`);
  }
  if (problems.length > 0) return { problems };
  return { config, secretFiles, secretValues };
}

/** `git.url (INTCTL_GIT_URL)`: how a message names a field, whichever way it can be given. */
export function label(name: FieldName): string {
  const spec: FieldSpec = CONFIG_FIELDS[name];
  return spec.file ? `${spec.file} (${spec.env})` : spec.env;
}

function check(name: FieldName, item: GivenValue): string | number | { problem: string } {
  const spec: FieldSpec = CONFIG_FIELDS[name];
  const where = item.source === 'env' ? spec.env : spec.file ?? spec.env;
  const fail = (why: string) => ({ problem: `${where}: ${why}` });
  const { value } = item;
  const secret = spec.kind === 'secretValue';
  if (spec.kind === 'positiveInteger' || spec.kind === 'port' || spec.kind === 'wholeNumber') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (spec.kind === 'port') return Number.isInteger(n) && n >= 0 && n <= 65_535 ? n : fail(`must be a port number from 0 to 65535, not ${show(value)}`);
    if (spec.kind === 'wholeNumber') return Number.isInteger(n) && n >= 0 ? n : fail(`must be a whole number, 0 or more, not ${show(value)}`);
    return Number.isInteger(n) && n > 0 ? n : fail(`must be a positive whole number, not ${show(value)}`);
  }
  if (typeof value !== 'string' || value.trim() === '') return fail(secret ? 'must be a non-empty string' : `must be a non-empty string, not ${show(value)}`);
  const text = value.trim();
  switch (spec.kind) {
    case 'string':
    case 'secretValue':
      return spec.kind === 'secretValue' ? value : text;
    case 'branch':
      return /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]+$/.test(text) ? text : fail(`is not a valid branch name: ${show(value)}`);
    case 'path':
    case 'secretFile':
      return resolve(item.base, text);
    case 'email':
      return /^[^\s@<>]+@[^\s@<>]+$/.test(text) ? text : fail(`is not an e-mail address: ${show(value)}`);
    case 'logLevel':
      return (LOG_LEVELS as readonly string[]).includes(text) ? text : fail(`must be one of ${LOG_LEVELS.join(', ')}, not ${show(value)}`);
    case 'cron': {
      if (text === 'off') return text;
      const result = validateDetailed(text);
      if (result.valid) return text;
      const why = result.errors.map((e) => e.message).join('; ');
      return fail(`is not a cron expression (${why}); use five or six fields such as "* * * * *", or off`);
    }
    case 'gitUrl':
      return checkGitUrl(text, item.base, fail);
  }
}

function checkGitUrl(text: string, base: string, fail: (why: string) => { problem: string }): string | { problem: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (/^[^/\s]+@[^/\s:]+:/.test(text)) return text;
    return isAbsolute(text) ? text : resolve(base, text);
  }
  if (!['https', 'http', 'ssh', 'git', 'file'].includes(scheme)) return fail(`scheme ${scheme}:// is not supported; use https://, ssh://, file:// or a local path`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail('is not a valid URL');
  }
  if (parsed.password !== '') return fail('must not hold a password or token; put the token in a file named by git.tokenFile (INTCTL_GIT_TOKEN_FILE)');
  return text;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
