import { describe, expect, it } from 'vitest';
import { gitTransport, sshCommand } from '../../controller/source/git-transport.ts';

describe('gitTransport', () => {
  it('gives git no prompt, no askpass program, no credential helper, and nothing inherited that names another program', () => {
    const transport = gitTransport({
      url: 'https://example.com/r.git',
      auth: { password: 'p' },
      env: { PATH: '/bin', HOME: '/home/x', GIT_DIR: '/elsewhere', GIT_SSH_COMMAND: 'evil', EDITOR: 'vi', https_proxy: 'http://proxy:3128' },
    });
    expect(transport.env).toEqual({
      PATH: '/bin',
      HOME: '/home/x',
      https_proxy: 'http://proxy:3128',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'credential.helper',
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: 'http.extraHeader',
      GIT_CONFIG_VALUE_1: `Authorization: Basic ${Buffer.from('x-access-token:p').toString('base64')}`,
    });
    expect(transport.localEnv).toEqual({ PATH: '/bin', HOME: '/home/x', https_proxy: 'http://proxy:3128', GIT_TERMINAL_PROMPT: '0' });
  });

  it.each([
    ['fatal: unable to access https://bot:tok@example.com/r.git/', 'fatal: unable to access https://***@example.com/r.git/'],
    ['remote said tok and dG9r', 'remote said *** and dG9r'],
    [`header ${Buffer.from('bot:tok').toString('base64')} leaked`, 'header *** leaked'],
    ['ssh://git@example.com:22/r.git', 'ssh://***@example.com:22/r.git'],
  ])('redacts %j', (text, expected) => {
    expect(gitTransport({ url: 'https://example.com/r.git', auth: { username: 'bot', password: 'tok' }, env: {} }).redact(text)).toBe(expected);
  });

  it.each([
    [undefined, 'ssh -o BatchMode=yes'],
    [{ privateKeyPath: '/keys/id_ed25519' }, `ssh -o BatchMode=yes -o IdentitiesOnly=yes -i '/keys/id_ed25519'`],
    [
      { privateKeyPath: "/keys/it's key", knownHostsPath: '/etc/ssh/known' },
      `ssh -o BatchMode=yes -o IdentitiesOnly=yes -i '/keys/it'\\''s key' -o UserKnownHostsFile='/etc/ssh/known' -o StrictHostKeyChecking=yes`,
    ],
  ])('runs ssh in batch mode with %j', (ssh, expected) => {
    expect(sshCommand(ssh)).toBe(expected);
  });
});
