import type { SimpleGitOptions } from 'simple-git';
import type { GitRemote } from './git-source.ts';

/** How git commands that talk to a remote are run: their environment, and how their messages are cleaned. */
export interface GitTransport {
  /** The whole environment of git commands that talk to the remote (credentials included, for http remotes). */
  env: Record<string, string>;
  /** The environment of git commands that only read or write the local repository: no credentials, nothing simple-git must allow. */
  localEnv: Record<string, string>;
  /** What simple-git must allow for that environment: settings this module makes itself, never a caller's. */
  unsafe: NonNullable<SimpleGitOptions['unsafe']>;
  timeoutMs: number;
  /** A message with every credential and URL user information replaced by `***`. */
  redact(text: string): string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_USERNAME = 'x-access-token';
/** Variables that would make git run another program or read other configuration (simple-git refuses them too). */
const INHERITED_BUT_DROPPED = /^(git_.*|ssh_askpass|editor|visual|pager|prefix)$/i;

/**
 * The environment git runs in for one remote. Git never prompts (GIT_TERMINAL_PROMPT=0, no
 * askpass program) and uses no credential helper of the host, so the only credentials it has are
 * the remote's own: for http(s), an `Authorization: Basic` header passed as configuration through
 * the environment (GIT_CONFIG_COUNT), so it is never on a command line, in a URL or a config file;
 * for ssh, the key and known_hosts named, in batch mode. Inherited GIT_* variables are dropped,
 * and so are EDITOR, PAGER and the like: git has nothing to edit or page here.
 */
export function gitTransport(remote: GitRemote): GitTransport {
  // Not configuration: what a child process inherits (PATH, HOME, proxies), unless the caller passes it.
  // eslint-disable-next-line no-restricted-properties
  const base = remote.env ?? process.env;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || INHERITED_BUT_DROPPED.test(name)) continue;
    env[name] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  const localEnv = { ...env };
  // Empty, not unset: git then asks no askpass program at all, not even core.askPass or SSH_ASKPASS.
  env.GIT_ASKPASS = '';
  env.GIT_SSH_COMMAND = sshCommand(remote.ssh);

  const config: Array<[string, string]> = [['credential.helper', '']];
  const secrets: string[] = [];
  if (remote.auth) {
    const pair = `${remote.auth.username ?? DEFAULT_USERNAME}:${remote.auth.password}`;
    const token = Buffer.from(pair, 'utf8').toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${token}`]);
    secrets.push(token, remote.auth.password, encodeURIComponent(remote.auth.password));
  }
  env.GIT_CONFIG_COUNT = String(config.length);
  for (const [i, [key, value]] of config.entries()) {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  }

  // Longest first, so that a secret containing another is replaced whole.
  const ordered = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  return {
    env,
    localEnv,
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeAskPass: true, allowUnsafeCredentialHelper: true, allowUnsafeConfigEnvCount: true },
    timeoutMs: remote.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    redact(text: string): string {
      let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
      for (const secret of ordered) out = out.split(secret).join('***');
      return out;
    },
  };
}

/**
 * The ssh command git uses: batch mode (no password or passphrase prompt, no question about an
 * unknown host), and with a key, only that key; with a known_hosts file, only hosts in it.
 */
export function sshCommand(ssh: GitRemote['ssh']): string {
  const parts = ['ssh', '-o', 'BatchMode=yes'];
  if (ssh) {
    parts.push('-o', 'IdentitiesOnly=yes', '-i', shellQuote(ssh.privateKeyPath));
    if (ssh.knownHostsPath !== undefined) {
      parts.push('-o', `UserKnownHostsFile=${shellQuote(ssh.knownHostsPath)}`, '-o', 'StrictHostKeyChecking=yes');
    }
  }
  return parts.join(' ');
}

/** Git runs GIT_SSH_COMMAND through the shell: single quotes keep a path one word whatever it holds. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
