import { describe, expect, it } from 'vitest';
import { defaultStateDir } from '../../controller/config/default-state-dir.ts';
import { readConfig } from '../../controller/config/read-config.ts';

const REPO = '/home/ada/src/payments';
const HASH = /^[0-9a-f]{12}$/;

describe('readConfig: the state directory of a command', () => {
  it.each([
    ['$INTCTL_STATE_DIR, as given', { INTCTL_STATE_DIR: '/var/lib/intctl', XDG_STATE_HOME: '/x', HOME: '/home/ada' }, '/var/lib/intctl', 'INTCTL_STATE_DIR'],
    ['$INTCTL_STATE_DIR, relative to the working directory', { INTCTL_STATE_DIR: 'state', HOME: '/home/ada' }, '/home/ada/src/payments/docs/state', 'INTCTL_STATE_DIR'],
    ['the repository\'s own under $XDG_STATE_HOME', { XDG_STATE_HOME: '/x/state', HOME: '/home/ada' }, defaultStateDir('/x/state', REPO), 'default'],
    ['the repository\'s own under ~/.local/state without $XDG_STATE_HOME', { HOME: '/home/ada' }, defaultStateDir('/home/ada/.local/state', REPO), 'default'],
    ['~/.local/state when $XDG_STATE_HOME is relative (the XDG specification ignores it)', { XDG_STATE_HOME: 'state', HOME: '/home/ada' }, defaultStateDir('/home/ada/.local/state', REPO), 'default'],
    ['the default when $INTCTL_STATE_DIR is empty', { INTCTL_STATE_DIR: '', XDG_STATE_HOME: '/x', HOME: '/home/ada' }, defaultStateDir('/x', REPO), 'default'],
  ])('%s', (_title, env, stateDir, from) => {
    const config = readConfig(env, `${REPO}/docs`, REPO);
    expect([config.stateDir, config.stateDirFrom]).toEqual([stateDir, from]);
  });
});

describe('defaultStateDir', () => {
  it('is <state home>/intctl/<the repository directory name>-<a short hash of its path>', () => {
    const dir = defaultStateDir('/x', REPO);
    const [, name, hash] = /^\/x\/intctl\/([^/]+)-([^/-]+)$/.exec(dir) ?? [];
    expect(name).toBe('payments');
    expect(hash).toMatch(HASH);
  });

  it.each([
    ['two repositories of the same name', '/home/ada/a/repo', '/home/ada/b/repo'],
    ['two repositories whose names differ only in case', '/src/Repo', '/src/repo'],
  ])('differs for %s', (_title, one, two) => {
    expect(defaultStateDir('/x', one)).not.toBe(defaultStateDir('/x', two));
  });

  it('is the same for the same repository, every time', () => {
    expect(defaultStateDir('/x', REPO)).toBe(defaultStateDir('/x', REPO));
  });

  it.each([
    ['/', 'repository'],
    ['/src/my repo (old)', 'my-repo-old'],
    ['/src/.hidden', 'hidden'],
  ])('makes a readable name of %s', (repository, name) => {
    expect(defaultStateDir('/x', repository)).toMatch(new RegExp(`^/x/intctl/${name.replace(/[()]/g, '\\$&')}-[0-9a-f]{12}$`));
  });
});
