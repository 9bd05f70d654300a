/**
 * The controller's configuration: what `intctl controller` runs with, the fields it may be given
 * in a YAML file or environment variables, and their validation. Pure: `readControllerConfig`
 * (./read-config.ts) reads the file, the variables and the secret files and hands them over.
 */
import { isAbsolute, resolve } from 'node:path';
import { cronModule } from '../core/lazy-module.ts';
import { editDistance } from '../core/edit-distance.ts';
import type { NotificationsConfig } from './notification-config.ts';
import type { Config } from './read-config.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Which share of the environments this replica reconciles (controller/core/shard-ring.ts), and how it reaches the others. */
export interface ShardConfig {
  /** This replica's shard, from 0: the StatefulSet ordinal. */
  index: number;
  /** How many replicas share the environments; 1: this one owns all of them and probes nobody. */
  count: number;
  /** The base URL of every replica's server, by shard (this one's included); empty when count is 1 and none is given. */
  peers: string[];
  /** How often each peer is asked `GET /api/v1/shard`; a peer unanswered for leaseTtlMs counts as gone. */
  probeIntervalMs: number;
}

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
  shard: ShardConfig;
  statusBranch: string;
  /** Author and committer of status commits. */
  statusAuthor: { name: string; email: string };
  queue: { concurrency: number; backoffBaseMs: number; backoffMaxMs: number; requeueWaitingMs: number };
  logLevel: LogLevel;
  /** Reporting to GitHub (check runs or commit statuses, pull request plans, approvals); absent: off. */
  github?: GithubConfig;
  /** Slack, Teams and webhooks told of status transitions; no providers: off. */
  notifications: NotificationsConfig;
  /** The JSON API under /api/v1/ and the dashboard. */
  api: ApiConfig;
}

/** Who may read the dashboard and its API (`public`: anyone who reaches the port; `token`: holders of the API token). */
export type ApiReadAccess = 'public' | 'token';

export interface ApiConfig {
  /** The bearer token of "reconcile now" (and of every read with readAccess `token`); absent: nothing can be changed through the API. */
  token?: string;
  readAccess: ApiReadAccess;
}

/** How the controller reaches GitHub, or GitHub Enterprise Server at another `apiUrl`. */
export interface GithubConfig {
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
  owner: string;
  repo: string;
  auth: { kind: 'token'; token: string } | { kind: 'app'; appId: number; privateKey: string; installationId?: number };
  /** Check runs need a GitHub App; a personal access token reports commit statuses. */
  report: GithubReportKind;
}

export type GithubReportKind = 'checks' | 'statuses';

type Kind = 'string' | 'url' | 'repository' | 'reportKind' | 'email' | 'wholeNumber' | 'branch' | 'gitUrl' | 'path' | 'secretFile' | 'secretValue' | 'positiveInteger' | 'port' | 'cron' | 'logLevel'
  | 'shardIndex' | 'readAccess';

interface FieldSpec {
  /** The dotted path of the field in the YAML file; undefined for what only a variable may give. */
  file?: string;
  env: string;
  /** The command-line flag that overrides the variable, for the few fields that have one. */
  flag?: string;
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
  githubApiUrl: { file: 'github.apiUrl', env: 'INTCTL_GITHUB_API_URL', kind: 'url' },
  githubRepository: { file: 'github.repository', env: 'INTCTL_GITHUB_REPOSITORY', kind: 'repository' },
  githubToken: { env: 'INTCTL_GITHUB_TOKEN', kind: 'secretValue' },
  githubTokenFile: { file: 'github.tokenFile', env: 'INTCTL_GITHUB_TOKEN_FILE', kind: 'secretFile' },
  githubAppId: { file: 'github.appId', env: 'INTCTL_GITHUB_APP_ID', kind: 'positiveInteger' },
  githubAppPrivateKeyFile: { file: 'github.appPrivateKeyFile', env: 'INTCTL_GITHUB_APP_PRIVATE_KEY_FILE', kind: 'secretFile' },
  githubInstallationId: { file: 'github.installationId', env: 'INTCTL_GITHUB_APP_INSTALLATION_ID', kind: 'positiveInteger' },
  githubReport: { file: 'github.report', env: 'INTCTL_GITHUB_REPORT', kind: 'reportKind' },
  apiToken: { env: 'INTCTL_API_TOKEN', kind: 'secretValue' },
  apiTokenFile: { file: 'api.tokenFile', env: 'INTCTL_API_TOKEN_FILE', kind: 'secretFile' },
  apiReadAccess: { file: 'api.readAccess', env: 'INTCTL_API_READ_ACCESS', kind: 'readAccess' },
  // Shards: the Helm chart sets these variables by these names.
  shardIndex: { file: 'shard.index', env: 'INTCTL_SHARD', flag: '--shard', kind: 'shardIndex' },
  shardCount: { file: 'shard.count', env: 'INTCTL_SHARDS', flag: '--shards', kind: 'positiveInteger' },
  shardPeers: { file: 'shard.peers', env: 'INTCTL_SHARD_PEERS', flag: '--shard-peers', kind: 'string' },
  shardProbeIntervalMs: { file: 'shard.probeIntervalMs', env: 'INTCTL_SHARD_PROBE_INTERVAL_MS', kind: 'positiveInteger' },
  // The `notifications` section of the file is read apart (notification-config.ts); this names a file holding it instead.
  notificationsFile: { env: 'INTCTL_NOTIFICATIONS_FILE', kind: 'path' },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof CONFIG_FIELDS;

/** One given value, and where it came from: relative paths resolve against `base`. */
export interface GivenValue {
  value: unknown;
  /** `file <path>`, `env`, or a command-line `flag`. */
  source: 'file' | 'env' | 'flag';
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
  githubToken?: string;
  githubAppPrivateKey?: string;
  apiToken?: string;
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

/** The given values with each command-line flag laid over its field (flags win over variables and the file). */
export function withFlags(values: GivenValues, flags: Partial<Record<FieldName, string>>, cwd: string): GivenValues {
  const out: GivenValues = { ...values };
  for (const [name, value] of Object.entries(flags) as Array<[FieldName, string | undefined]>) {
    if (value !== undefined) out[name] = { value, source: 'flag', base: cwd };
  }
  return out;
}

/** The configuration before secret files are read: their paths stand where their values will. */
export type ConfigWithoutSecrets = Omit<ControllerConfig, 'git' | 'webhook' | 'github' | 'notifications' | 'api'> & {
  api: Omit<ApiConfig, 'token'>;
  git: Omit<ControllerConfig['git'], 'auth' | 'env'> & { username: string };
  webhook: Omit<ControllerConfig['webhook'], 'githubSecret' | 'genericToken'>;
  /** GitHub without its credentials: which kind, and the App's ids. */
  github?: Omit<GithubConfig, 'auth'> & { auth: { kind: 'token' } | { kind: 'app'; appId: number; installationId?: number } };
};

export type ValidatedConfig =
  | { config: ConfigWithoutSecrets; secretFiles: SecretFiles; secretValues: SecretFiles; /** INTCTL_NOTIFICATIONS_FILE, absolute. */ notificationsFile?: string }
  | { problems: string[] };

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
    ['githubToken', 'githubTokenFile', 'githubToken'],
    ['apiToken', 'apiTokenFile', 'apiToken'],
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
    shard: validateShard(optional, problems),
    stateDir: text('stateDir', resolve(defaults.cwd, '.intctl')),
    statusBranch: text('statusBranch', 'intctl/status'),
    statusAuthor: { name: text('statusAuthorName', 'intctl'), email: text('statusAuthorEmail', 'intctl@localhost') },
    leaseTtlMs: whole('leaseTtlMs', 30_000),
    holder: text('holder', defaults.holder),
    queue: { concurrency: whole('concurrency', 4), backoffBaseMs, backoffMaxMs, requeueWaitingMs: whole('requeueWaitingMs', 60_000) },
    logLevel: text('logLevel', 'info') as LogLevel,
    api: { readAccess: text('apiReadAccess', 'public') as ApiReadAccess },
  };
  if (config.api.readAccess === 'token' && secretFiles.apiToken === undefined && secretValues.apiToken === undefined) {
    problems.push(`${label('apiReadAccess')}: token needs the API token, which is not given (${label('apiTokenFile')} or ${label('apiToken')})`);
  }
  const github = validateGithub(optional, String(url ?? ''), secretFiles, secretValues, problems);
  if (github) config.github = github;
  if (config.shard.count > 1 && config.shard.probeIntervalMs >= config.leaseTtlMs) {
    problems.push(`${label('shardProbeIntervalMs')}: must be shorter than ${label('leaseTtlMs')} (${config.leaseTtlMs}), or a live peer counts as gone between two probes`);
  }
  if (config.git.branch === config.statusBranch) {
    problems.push(`${label('statusBranch')}: must differ from ${label('gitBranch')} (${config.git.branch}): status commits never go to the tracked branch`);
  }
  const notificationsFile = optional('notificationsFile');
  if (problems.length > 0) return { problems };
  return { config, secretFiles, secretValues, ...(notificationsFile !== undefined ? { notificationsFile: String(notificationsFile) } : {}) };
}

/**
 * The GitHub part: on when a token or an App is given. The repository defaults to the one the Git
 * URL names (`https://github.com/acme/integrations.git`, `git@github.com:acme/integrations.git`).
 */
function validateGithub(
  optional: (name: FieldName) => string | number | undefined,
  gitUrl: string,
  secretFiles: SecretFiles,
  secretValues: SecretFiles,
  problems: string[],
): ConfigWithoutSecrets['github'] {
  const appId = optional('githubAppId');
  const keyFile = optional('githubAppPrivateKeyFile');
  const installationId = optional('githubInstallationId');
  const hasToken = secretFiles.githubToken !== undefined || secretValues.githubToken !== undefined;
  const apiUrl = String(optional('githubApiUrl') ?? 'https://api.github.com').replace(/\/+$/, '');
  const repository = optional('githubRepository');
  const report = optional('githubReport');
  if (keyFile !== undefined) secretFiles.githubAppPrivateKey = String(keyFile);
  if (!hasToken && appId === undefined && keyFile === undefined) {
    if (repository !== undefined || report !== undefined || installationId !== undefined) {
      problems.push(`${label('githubTokenFile')} or ${label('githubAppId')}: GitHub settings are given, but no way to authenticate`);
    }
    return undefined;
  }
  if (hasToken && (appId !== undefined || keyFile !== undefined)) {
    problems.push(`${label('githubTokenFile')} and ${label('githubAppId')}: give a token or a GitHub App, not both`);
    return undefined;
  }
  if (!hasToken && (appId === undefined || keyFile === undefined)) {
    problems.push(`${label(appId === undefined ? 'githubAppId' : 'githubAppPrivateKeyFile')}: a GitHub App needs both its id and its private key file`);
    return undefined;
  }
  if (hasToken && installationId !== undefined) problems.push(`${label('githubInstallationId')}: only used with a GitHub App, not with a token`);
  const slug = repository !== undefined ? String(repository) : repositoryOf(gitUrl);
  if (slug === undefined) {
    problems.push(`${label('githubRepository')}: required: owner/name of the repository (it cannot be told from the Git URL)`);
    return undefined;
  }
  const [owner = '', repo = ''] = slug.split('/');
  const kind: GithubReportKind = report !== undefined ? (report as GithubReportKind) : hasToken ? 'statuses' : 'checks';
  if (kind === 'checks' && hasToken) problems.push(`${label('githubReport')}: check runs can only be created by a GitHub App; with a token, use statuses`);
  const auth = hasToken
    ? ({ kind: 'token' } as const)
    : ({ kind: 'app', appId: Number(appId), ...(installationId !== undefined ? { installationId: Number(installationId) } : {}) } as const);
  return { apiUrl, owner, repo, auth, report: kind };
}

/** `owner/name` of a Git URL on a GitHub-like host, when it has that shape. */
export function repositoryOf(url: string): string | undefined {
  const match = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]+\/|[^/\s]+@[^/\s:]+:)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(url);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/**
 * The shard part: this replica's index (a number, or a StatefulSet pod name whose trailing ordinal
 * is the index), the count, and the peers' URLs, from a template with `{i}` or a list of exactly
 * `count` URLs. Peers are required when there is more than one shard.
 */
function validateShard(optional: (name: FieldName) => string | number | undefined, problems: string[]): ShardConfig {
  const given = optional('shardCount');
  const count = given === undefined ? 1 : Number(given);
  const index = Number(optional('shardIndex') ?? 0);
  const probeIntervalMs = Number(optional('shardProbeIntervalMs') ?? 5000);
  if (index >= count) problems.push(`${label('shardIndex')}: must be less than ${label('shardCount')} (${count}), not ${index}`);
  const peersText = optional('shardPeers');
  if (peersText === undefined) {
    if (count > 1) problems.push(`${label('shardPeers')}: required with ${count} shards: a URL template with {i} (http://intctl-controller-{i}.intctl-controller-headless:8080) or ${count} URLs separated by commas`);
    return { index, count, peers: [], probeIntervalMs };
  }
  const text = String(peersText);
  const peers = text.includes('{i}')
    ? Array.from({ length: count }, (_, i) => text.replaceAll('{i}', String(i)))
    : text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (peers.length !== count) {
    problems.push(`${label('shardPeers')}: must list ${count} ${count === 1 ? 'URL' : 'URLs'}, one per shard (or be a template with {i}), not ${peers.length}`);
  }
  const bad = peers.filter((p) => !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(p) || !URL.canParse(p));
  if (bad.length > 0) problems.push(`${label('shardPeers')}: not an http(s) URL: ${bad.map((p) => show(p)).join(', ')}`);
  return { index, count, peers: peers.map((p) => p.replace(/\/+$/, '')), probeIntervalMs };
}

/** `git.url (INTCTL_GIT_URL)`: how a message names a field, whichever way it can be given. */
export function label(name: FieldName): string {
  const spec: FieldSpec = CONFIG_FIELDS[name];
  return spec.file ? `${spec.file} (${spec.env})` : spec.env;
}

function check(name: FieldName, item: GivenValue): string | number | { problem: string } {
  const spec: FieldSpec = CONFIG_FIELDS[name];
  const where = item.source === 'env' ? spec.env : item.source === 'flag' ? spec.flag ?? spec.env : spec.file ?? spec.env;
  const fail = (why: string) => ({ problem: `${where}: ${why}` });
  const { value } = item;
  const secret = spec.kind === 'secretValue';
  if (spec.kind === 'positiveInteger' || spec.kind === 'port' || spec.kind === 'wholeNumber') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (spec.kind === 'port') return Number.isInteger(n) && n >= 0 && n <= 65_535 ? n : fail(`must be a port number from 0 to 65535, not ${show(value)}`);
    if (spec.kind === 'wholeNumber') return Number.isInteger(n) && n >= 0 ? n : fail(`must be a whole number, 0 or more, not ${show(value)}`);
    return Number.isInteger(n) && n > 0 ? n : fail(`must be a positive whole number, not ${show(value)}`);
  }
  if (spec.kind === 'shardIndex') {
    // A StatefulSet pod's name ends in its ordinal: the chart may pass $(POD_NAME) as it is.
    const ordinal = typeof value === 'number' || typeof value === 'string' ? /^(?:[A-Za-z0-9][-A-Za-z0-9.]*-)?(\d+)$/.exec(String(value).trim())?.[1] : undefined;
    return ordinal !== undefined && Number.isSafeInteger(Number(ordinal))
      ? Number(ordinal)
      : fail(`must be a whole number, 0 or more, or a StatefulSet pod name ending in its ordinal (intctl-controller-2), not ${show(value)}`);
  }
  if (typeof value !== 'string' || value.trim() === '') return fail(secret ? 'must be a non-empty string' : `must be a non-empty string, not ${show(value)}`);
  const text = value.trim();
  switch (spec.kind) {
    case 'url':
      return /^https?:\/\/[^\s/]+(\/\S*)?$/.test(text) ? text : fail(`must be an http(s) URL such as https://api.github.com, not ${show(value)}`);
    case 'repository':
      return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(text) ? text : fail(`must be owner/name, not ${show(value)}`);
    case 'readAccess':
      return text === 'public' || text === 'token' ? text : fail(`must be public or token, not ${show(value)}`);
    case 'reportKind':
      return text === 'checks' || text === 'statuses' ? text : fail(`must be checks or statuses, not ${show(value)}`);
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
      const result = cronModule().validateDetailed(text);
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
