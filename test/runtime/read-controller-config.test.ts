import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../controller/config/controller-config.ts';
import { readControllerConfig } from '../../controller/config/read-config.ts';

let dir: string;
let cwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intctl-config-'));
  cwd = join(dir, 'cwd');
  await mkdir(join(dir, 'etc', 'secrets'), { recursive: true });
  await mkdir(cwd);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function read(yaml: string | undefined, env: Record<string, string> = {}) {
  const file = join(dir, 'etc', 'controller.yaml');
  if (yaml !== undefined) await writeFile(file, yaml);
  return readControllerConfig({ ...(yaml !== undefined ? { file } : {}), env: { HOSTNAME: 'pod-1', ...env }, cwd });
}

async function problems(yaml: string | undefined, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await read(yaml, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('readControllerConfig', () => {
  it('fills in every default around the one required field', async () => {
    const config = await read('git:\n  url: https://github.com/acme/integrations.git\n');
    expect(config.env).toEqual({ HOSTNAME: 'pod-1' });
    expect(config.git.env).toBe(config.env);
    expect({ ...config, env: undefined, git: { ...config.git, env: undefined }, holder: config.holder.replace(/\d+$/, 'PID') }).toEqual({
      env: undefined,
      git: { url: 'https://github.com/acme/integrations.git', branch: 'main', timeoutMs: 120_000, env: undefined },
      poll: { schedule: '* * * * *', jitterMs: 10_000 },
      webhook: { deliveryCacheSize: 10_000 },
      listen: { host: '0.0.0.0', port: 8080 },
      shard: { index: 0, count: 1, peers: [], probeIntervalMs: 5000 },
      stateDir: join(cwd, '.intctl'),
      statusBranch: 'intctl/status',
      statusAuthor: { name: 'intctl', email: 'intctl@localhost' },
      leaseTtlMs: 30_000,
      holder: 'pod-1-PID',
      queue: { concurrency: 4, backoffBaseMs: 1000, backoffMaxMs: 300_000, requeueWaitingMs: 60_000 },
      logLevel: 'info',
      notifications: { providers: [], dedupeWindowMs: 600_000, ratePerMinute: 20, maxAttempts: 5, timeoutMs: 10_000 },
      api: { readAccess: 'public' },
    });
  });

  it('lets each variable override its field of the file', async () => {
    const config = await read(
      'git: { url: https://github.com/acme/a.git, branch: main }\nlisten: { port: 8080 }\npoll: { schedule: "*/5 * * * *" }\nlogLevel: debug\n',
      { INTCTL_GIT_BRANCH: 'release', INTCTL_LISTEN_PORT: '9090', INTCTL_POLL_SCHEDULE: 'off', INTCTL_POLL_JITTER_MS: '0', INTCTL_HOLDER: 'replica-a' },
    );
    expect([config.git.branch, config.listen.port, config.poll, config.logLevel, config.holder]).toEqual(['release', 9090, { jitterMs: 0 }, 'debug', 'replica-a']);
  });

  it('reads the configuration from variables alone', async () => {
    const config = await read(undefined, { INTCTL_GIT_URL: 'git@github.com:acme/a.git', INTCTL_STATE_DIR: 'state' });
    expect([config.git.url, config.stateDir]).toEqual(['git@github.com:acme/a.git', join(cwd, 'state')]);
  });

  it("resolves relative paths in the file against the file's directory, and in variables against the working directory", async () => {
    const config = await read('git: { url: ../repo, sshKeyFile: secrets/id_ed25519 }\nstateDir: state\nwatch: { dir: ../repo }\n', {
      INTCTL_GIT_KNOWN_HOSTS_FILE: 'known_hosts',
    });
    expect(config.git).toMatchObject({ url: join(dir, 'repo'), ssh: { privateKeyPath: join(dir, 'etc', 'secrets', 'id_ed25519'), knownHostsPath: join(cwd, 'known_hosts') } });
    expect(config.stateDir).toBe(join(dir, 'etc', 'state'));
    expect(config.watch).toEqual({ dir: join(dir, 'repo'), debounceMs: 500 });
  });

  it('reads secrets from the files named, dropping one trailing line break, or from variables', async () => {
    await writeFile(join(dir, 'etc', 'secrets', 'token'), 'ghp_from_a_file\n');
    await writeFile(join(dir, 'etc', 'secrets', 'webhook'), 'hook secret with spaces \n');
    const config = await read('git: { url: https://github.com/acme/a.git, tokenFile: secrets/token }\nwebhook: { githubSecretFile: secrets/webhook }\n', {
      INTCTL_WEBHOOK_TOKEN: 'generic-token-value',
    });
    expect(config.git.auth).toEqual({ username: 'x-access-token', password: 'ghp_from_a_file' });
    expect(config.webhook).toEqual({ githubSecret: 'hook secret with spaces ', genericToken: 'generic-token-value', deliveryCacheSize: 10_000 });
  });

  it.each([
    ['a missing repository', 'listen: { port: 8080 }\n', {}, 'git.url (INTCTL_GIT_URL): required'],
    ['a port out of range, from a variable', 'git: { url: /r }\n', { INTCTL_LISTEN_PORT: '99999' }, 'INTCTL_LISTEN_PORT: must be a port number from 0 to 65535, not "99999"'],
    ['a port that is not a number', 'git: { url: /r }\nlisten: { port: http }\n', {}, 'listen.port: must be a port number from 0 to 65535, not "http"'],
    ['a cron expression out of range', 'git: { url: /r }\npoll: { schedule: "61 * * * *" }\n', {}, 'poll.schedule: is not a cron expression'],
    ['a typo', 'git: { urll: /r }\n', {}, 'git.urll: unknown field (did you mean git.url?)'],
    ['a secret value in the file', 'git: { url: /r }\nwebhook: { githubSecret: s3cr3t }\n', {}, 'webhook.githubSecret: unknown field (did you mean webhook.githubSecretFile? a secret is given as a file that holds it)'],
    ['a section that is not a mapping', 'git: https://github.com/acme/a.git\n', {}, 'git: must be a mapping'],
    ['a negative jitter', 'git: { url: /r }\npoll: { jitterMs: -1 }\n', {}, 'poll.jitterMs: must be a whole number, 0 or more, not -1'],
    ['a lease of no time', 'git: { url: /r }\nleaseTtlMs: 0\n', {}, 'leaseTtlMs: must be a positive whole number, not 0'],
    ['an unknown log level', 'git: { url: /r }\nlogLevel: loud\n', {}, 'logLevel: must be one of fatal, error, warn, info, debug, trace, silent, not "loud"'],
    ['a status branch that is the tracked branch', 'git: { url: /r, branch: main }\nstatusBranch: main\n', {}, 'statusBranch (INTCTL_STATUS_BRANCH): must differ from git.branch (INTCTL_GIT_BRANCH) (main)'],
    ['a bad branch name', 'git: { url: /r, branch: "feature..x" }\n', {}, 'git.branch: is not a valid branch name: "feature..x"'],
    ['a cap below the base delay', 'git: { url: /r }\nqueue: { backoffBaseMs: 5000, backoffMaxMs: 1000 }\n', {}, 'queue.backoffMaxMs (INTCTL_BACKOFF_MAX_MS): must be at least queue.backoffBaseMs (INTCTL_BACKOFF_BASE_MS) (5000)'],
    ['an unsupported URL scheme', 'git: { url: "ftp://example.com/r.git" }\n', {}, 'git.url: scheme ftp:// is not supported'],
    ['a secret given twice', 'git: { url: /r }\nwebhook: { githubSecretFile: secrets/webhook }\n', { INTCTL_WEBHOOK_SECRET: 'x' }, 'INTCTL_WEBHOOK_SECRET and webhook.githubSecretFile (INTCTL_WEBHOOK_SECRET_FILE): give the value or a file that holds it, not both'],
    ['a token and a key', 'git: { url: /r, tokenFile: t, sshKeyFile: k }\n', {}, 'git.tokenFile (INTCTL_GIT_TOKEN_FILE) and git.sshKeyFile (INTCTL_GIT_SSH_KEY_FILE): give one way to authenticate, not both'],
    ['known hosts without a key', 'git: { url: /r, knownHostsFile: k }\n', {}, 'git.knownHostsFile (INTCTL_GIT_KNOWN_HOSTS_FILE): only used with git.sshKeyFile (INTCTL_GIT_SSH_KEY_FILE), which is not given'],
    ['a token file that does not exist', 'git: { url: https://github.com/a/b.git, tokenFile: secrets/missing }\n', {}, 'git.tokenFile (INTCTL_GIT_TOKEN_FILE): cannot read'],
    ['a file that is not YAML', 'git: [\n', {}, 'not valid YAML'],
    ['a file that is a list', '- git\n', {}, 'the configuration file must hold a mapping of fields'],
  ])('names the field of %s', async (_name, yaml, env, message) => {
    const found = await problems(yaml, env);
    expect(found.some((p) => p.includes(message)), `${JSON.stringify(found)} should include ${message}`).toBe(true);
  });

  it('refuses a token in the URL without repeating it', async () => {
    const found = await problems('git: { url: "https://bot:ghp_0123456789abcdef@github.com/acme/a.git" }\n');
    expect(found).toEqual(['git.url: must not hold a password or token; put the token in a file named by git.tokenFile (INTCTL_GIT_TOKEN_FILE)']);
  });

  it('reports every problem at once', async () => {
    const found = await problems('git: { url: /r }\nlisten: { port: -1 }\nleaseTtlMs: soon\nextra: 1\n');
    expect(found).toEqual([
      'extra: unknown field',
      'listen.port: must be a port number from 0 to 65535, not -1',
      'leaseTtlMs: must be a positive whole number, not "soon"',
    ]);
  });

  it('names the file when it cannot be read', async () => {
    await expect(readControllerConfig({ file: join(dir, 'nowhere.yaml'), env: {}, cwd })).rejects.toThrow(/--config .*nowhere\.yaml: cannot be read \(ENOENT\)/);
  });
});

describe('readControllerConfig: shards', () => {
  const peers = 'http://c-0:8080,http://c-1:8080,http://c-2:8080';

  it('reads the shard, the count and the peers from the file', async () => {
    const config = await read(`git: { url: /r }
shard: { index: 2, count: 3, peers: "${peers}", probeIntervalMs: 1000 }
`);
    expect(config.shard).toEqual({ index: 2, count: 3, peers: ['http://c-0:8080', 'http://c-1:8080', 'http://c-2:8080'], probeIntervalMs: 1000 });
  });

  it("expands a template with {i}, and takes a StatefulSet pod name's ordinal as the index", async () => {
    const config = await read(undefined, {
      INTCTL_GIT_URL: '/r',
      INTCTL_SHARD: 'my-release-intctl-1',
      INTCTL_SHARDS: '2',
      INTCTL_SHARD_PEERS: 'http://intctl-controller-{i}.intctl-controller-headless:8080/',
      INTCTL_SHARD_PROBE_INTERVAL_MS: '2000',
    });
    expect(config.shard).toEqual({
      index: 1,
      count: 2,
      peers: ['http://intctl-controller-0.intctl-controller-headless:8080', 'http://intctl-controller-1.intctl-controller-headless:8080'],
      probeIntervalMs: 2000,
    });
  });

  it('lets the flags override the variables, which override the file', async () => {
    const file = join(dir, 'etc', 'controller.yaml');
    await writeFile(file, 'git: { url: /r }\nshard: { index: 0, count: 2, peers: "http://x-{i}" }\n');
    const config = await readControllerConfig({
      file,
      env: { INTCTL_SHARD: '1', INTCTL_SHARDS: '3' },
      cwd,
      flags: { shardIndex: '2', shardPeers: peers },
    });
    expect([config.shard.index, config.shard.count, config.shard.peers.length]).toEqual([2, 3, 3]);
  });

  it.each([
    ['an index that is not a number', 'shard: { index: first }\n', {}, 'shard.index: must be a whole number, 0 or more, or a StatefulSet pod name ending in its ordinal (intctl-controller-2), not "first"'],
    ['a negative index', '', { INTCTL_SHARD: '-1' }, 'INTCTL_SHARD: must be a whole number, 0 or more, or a StatefulSet pod name'],
    ['a fractional index in the file', 'shard: { index: 1.5 }\n', {}, 'shard.index: must be a whole number, 0 or more, or a StatefulSet pod name'],
    ['a negative index in the file', 'shard: { index: -1 }\n', {}, 'shard.index: must be a whole number, 0 or more, or a StatefulSet pod name'],
    ['an index beyond the count', '', { INTCTL_SHARD: 'intctl-controller-3', INTCTL_SHARDS: '3', INTCTL_SHARD_PEERS: 'http://c-{i}' }, 'shard.index (INTCTL_SHARD): must be less than shard.count (INTCTL_SHARDS) (3), not 3'],
    ['no shards', 'shard: { count: 0 }\n', {}, 'shard.count: must be a positive whole number, not 0'],
    ['several shards and no peers', '', { INTCTL_SHARDS: '3' }, 'shard.peers (INTCTL_SHARD_PEERS): required with 3 shards'],
    ['too few peers', 'shard: { count: 3, peers: "http://a:1,http://b:1" }\n', {}, 'shard.peers (INTCTL_SHARD_PEERS): must list 3 URLs, one per shard (or be a template with {i}), not 2'],
    ['a peer that is not a URL', '', { INTCTL_SHARDS: '2', INTCTL_SHARD_PEERS: 'http://a:1, c-1:8080' }, 'shard.peers (INTCTL_SHARD_PEERS): not an http(s) URL: "c-1:8080"'],
    ['a probe interval as long as the lease', 'leaseTtlMs: 2000\nshard: { count: 2, peers: "http://c-{i}", probeIntervalMs: 2000 }\n', {}, 'shard.probeIntervalMs (INTCTL_SHARD_PROBE_INTERVAL_MS): must be shorter than leaseTtlMs (INTCTL_LEASE_TTL_MS) (2000)'],
    ['a typo in the section', 'shard: { indx: 1 }\n', {}, 'shard.indx: unknown field (did you mean shard.index?)'],
  ])('names the field of %s', async (_name, yaml, env, message) => {
    const found = await problems(`git: { url: /r }\n${yaml}`, env);
    expect(found.some((p) => p.includes(message)), `${JSON.stringify(found)} should include ${message}`).toBe(true);
  });

  it('names the flag that gave a bad value', async () => {
    await expect(readControllerConfig({ env: { INTCTL_GIT_URL: '/r' }, cwd, flags: { shardCount: 'many' } })).rejects.toThrow('--shards: must be a positive whole number, not "many"');
  });
});

describe('readControllerConfig: GitHub', () => {
  const URL = 'git:\n  url: https://github.com/acme/integrations.git\n';
  const secret = (name: string, text: string) => writeFile(join(dir, 'etc', 'secrets', name), text);

  it('authenticates as a GitHub App and reports check runs, the repository taken from the Git URL', async () => {
    await secret('app.pem', '-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n');
    const config = await read(`${URL}github: { appId: 1001, appPrivateKeyFile: secrets/app.pem }\n`);
    expect(config.github).toEqual({
      apiUrl: 'https://api.github.com',
      owner: 'acme',
      repo: 'integrations',
      auth: { kind: 'app', appId: 1001, privateKey: '-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----' },
      report: 'checks',
    });
  });

  it('authenticates with a token and reports commit statuses; GitHub Enterprise Server at its own API root', async () => {
    await secret('gh-token', 'ghp_not-a-real-token\n');
    const config = await read('git:\n  url: git@ghe.example.com:platform/integrations.git\n', {
      INTCTL_GITHUB_TOKEN_FILE: join(dir, 'etc', 'secrets', 'gh-token'),
      INTCTL_GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
    });
    expect(config.github).toEqual({ apiUrl: 'https://ghe.example.com/api/v3', owner: 'platform', repo: 'integrations', auth: { kind: 'token', token: 'ghp_not-a-real-token' }, report: 'statuses' });
  });

  it('is off without a token or an App', async () => {
    expect((await read(URL)).github).toBeUndefined();
  });

  it.each([
    ['a token and an App', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_APP_ID: '1' }, 'github.tokenFile (INTCTL_GITHUB_TOKEN_FILE) and github.appId (INTCTL_GITHUB_APP_ID): give a token or a GitHub App, not both'],
    ['an App without its key', { INTCTL_GITHUB_APP_ID: '1' }, 'github.appPrivateKeyFile (INTCTL_GITHUB_APP_PRIVATE_KEY_FILE): a GitHub App needs both its id and its private key file'],
    ['check runs with a token', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_REPORT: 'checks' }, 'github.report (INTCTL_GITHUB_REPORT): check runs can only be created by a GitHub App; with a token, use statuses'],
    ['a report kind that does not exist', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_REPORT: 'comments' }, 'INTCTL_GITHUB_REPORT: must be checks or statuses, not "comments"'],
    ['an API URL that is not http(s)', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_API_URL: 'ftp://ghe.example.com' }, 'INTCTL_GITHUB_API_URL: must be an http(s) URL such as https://api.github.com, not "ftp://ghe.example.com"'],
    ['a repository that is not owner/name', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_REPOSITORY: 'integrations' }, 'INTCTL_GITHUB_REPOSITORY: must be owner/name, not "integrations"'],
    ['settings without a way to authenticate', { INTCTL_GITHUB_REPOSITORY: 'acme/integrations' }, 'github.tokenFile (INTCTL_GITHUB_TOKEN_FILE) or github.appId (INTCTL_GITHUB_APP_ID): GitHub settings are given, but no way to authenticate'],
    ['an installation id with a token', { INTCTL_GITHUB_TOKEN: 'ghp_x', INTCTL_GITHUB_APP_INSTALLATION_ID: '42' }, 'github.installationId (INTCTL_GITHUB_APP_INSTALLATION_ID): only used with a GitHub App, not with a token'],
  ])('refuses %s, naming the field', async (_name, env, problem) => {
    expect(await problems(URL, env)).toContain(problem);
  });

  it('needs the repository when the Git URL does not name one', async () => {
    expect(await problems('git:\n  url: /srv/git/integrations\n', { INTCTL_GITHUB_TOKEN: 'ghp_x' })).toEqual([
      'github.repository (INTCTL_GITHUB_REPOSITORY): required: owner/name of the repository (it cannot be told from the Git URL)',
    ]);
  });

  it('never repeats the token in a message', async () => {
    const found = await problems(URL, { INTCTL_GITHUB_TOKEN: 'ghp_secret-value-42', INTCTL_GITHUB_APP_ID: '1' });
    expect(found.join('\n')).not.toContain('ghp_secret-value-42');
  });
});

describe('the API token and who may read', () => {
  it('takes the token from a variable or a file, like the webhook secrets, and readAccess from the file', async () => {
    const fromVariable = await read('git: { url: https://github.com/acme/a.git }\napi: { readAccess: token }\n', { INTCTL_API_TOKEN: 'api-token-value' });
    expect(fromVariable.api).toEqual({ token: 'api-token-value', readAccess: 'token' });
  });

  it('refuses readAccess token without a token, and an unknown readAccess, naming the field', async () => {
    expect(await problems('git: { url: https://github.com/acme/a.git }\napi: { readAccess: token }\n')).toEqual([
      'api.readAccess (INTCTL_API_READ_ACCESS): token needs the API token, which is not given (api.tokenFile (INTCTL_API_TOKEN_FILE) or INTCTL_API_TOKEN)',
    ]);
    expect(await problems('git: { url: https://github.com/acme/a.git }\n', { INTCTL_API_READ_ACCESS: 'everyone' })).toEqual(['INTCTL_API_READ_ACCESS: must be public or token, not "everyone"']);
  });
});
