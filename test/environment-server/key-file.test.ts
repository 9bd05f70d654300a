import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironmentServerConfig } from '../../controller/config/read-config.ts';
import { main } from '../../controller/cli/main.ts';
import { EnvironmentKeyError, openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { writeKeyFile } from '../support/key-files.ts';
import { spawnServe } from './support/spawn-serve.ts';

const CONTROLLER = 'key-file-test-controller-token-01';

let work: string;
afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function workDir(): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'intctl-key-file-'));
  return work;
}

/** The configuration problems of these variables and flags, as one message. */
async function problems(env: Record<string, string>, flags: Parameters<typeof readEnvironmentServerConfig>[0] = {}): Promise<string> {
  try {
    await readEnvironmentServerConfig({ name: 'prod', ...flags }, { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER, ...env }, work);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

function metaRow(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM meta').get() as Record<string, string>;
  } finally {
    db.close();
  }
}

describe('the environment server key file: configuration', () => {
  it('refuses to start without one, saying how to make one', async () => {
    await workDir();
    expect(await problems({})).toMatch(
      /no key file: the environment server keeps the environment's private key in its database only wrapped with a key file kept apart from it; give one with --key-file or INTCTL_ENVIRONMENT_KEY_FILE; make one with intctl environment keygen --out <file>, or openssl rand -base64 32 > <file>$/,
    );
  });

  it('names a key file that does not exist, or cannot be read, by the flag or variable that gave it', async () => {
    const dir = await workDir();
    expect(await problems({ INTCTL_ENVIRONMENT_KEY_FILE: join(dir, 'missing.key') })).toContain(`INTCTL_ENVIRONMENT_KEY_FILE: cannot read the key file ${join(dir, 'missing.key')}: there is no such file`);
    await mkdir(join(dir, 'a-directory'));
    expect(await problems({}, { keyFile: 'a-directory' })).toContain(`--key-file: cannot read the key file ${join(dir, 'a-directory')}: it is a directory, not a file`);
  });

  it.each([
    ['a short key', Buffer.alloc(16, 7).toString('base64')],
    ['a long key', Buffer.alloc(48, 7).toString('base64')],
    ['hex instead of base64', Buffer.alloc(32, 7).toString('hex')],
    ['a PEM block', '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEIFh5dGhlLXNlY3JldC1rZXktdGhhdC1pcy0zMmJ5dGVz\n-----END PRIVATE KEY-----'],
  ])('refuses a file that is not a key file (%s), without printing what it holds', async (_title, content) => {
    const dir = await workDir();
    await writeFile(join(dir, 'bad.key'), content);
    const message = await problems({ INTCTL_ENVIRONMENT_KEY_FILE: 'bad.key' });
    expect(message).toContain(`INTCTL_ENVIRONMENT_KEY_FILE: ${join(dir, 'bad.key')} is not a key file: it must hold 32 random bytes as one line of base64`);
    expect(message).not.toContain(content.split('\n')[0]!.slice(0, 12));
  });

  it('refuses a previous key file that is the same key as the key file', async () => {
    const dir = await workDir();
    const keyFile = await writeKeyFile(dir);
    await writeFile(join(dir, 'copy.key'), await readFile(keyFile.path));
    expect(await problems({ INTCTL_ENVIRONMENT_KEY_FILE: keyFile.path }, { previousKeyFile: 'copy.key' })).toContain(
      `--previous-key-file: ${join(dir, 'copy.key')} holds the same key as INTCTL_ENVIRONMENT_KEY_FILE ${keyFile.path}; a rotation needs a new key file`,
    );
  });

  it('accepts a key file made by openssl rand -base64 32, as the operations guide says', async () => {
    const dir = await workDir();
    const { stdout } = await promisify(execFile)('openssl', ['rand', '-base64', '32']);
    await writeFile(join(dir, 'openssl.key'), stdout, { mode: 0o600 });
    const config = await readEnvironmentServerConfig({ name: 'prod', keyFile: 'openssl.key' }, { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER }, dir);
    expect(Buffer.from(config.keyFile.key).toString('base64')).toBe(stdout.trim());
  });

  it('takes the key file from the flag over the variable, relative to the working directory', async () => {
    const dir = await workDir();
    const [fromVariable, fromFlag] = [await writeKeyFile(dir, 'variable.key'), await writeKeyFile(dir, 'flag.key')];
    const config = await readEnvironmentServerConfig({ name: 'prod', keyFile: 'flag.key' }, { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER, INTCTL_ENVIRONMENT_KEY_FILE: fromVariable.path }, dir);
    expect(config.keyFile).toEqual(fromFlag);
  });
});

describe('intctl environment keygen', () => {
  it('writes a key file readable by its owner only, that the server accepts', async () => {
    const dir = await workDir();
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), cwd: dir };
    expect(await main(['environment', 'keygen', '--out', 'prod.key'], io)).toBe(0);
    expect((await stat(join(dir, 'prod.key'))).mode & 0o777).toBe(0o600);
    const text = await readFile(join(dir, 'prod.key'), 'utf8');
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(out.join('')).toContain(`wrote a key file to ${join(dir, 'prod.key')}`);
    expect(out.join('')).not.toContain(text.trim());
    const config = await readEnvironmentServerConfig({ name: 'prod', keyFile: 'prod.key' }, { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER }, dir);
    expect(Buffer.from(config.keyFile.key).toString('base64')).toBe(text.trim());
  });

  it('never overwrites a file', async () => {
    const dir = await workDir();
    await writeFile(join(dir, 'prod.key'), 'keep me');
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => void err.push(t), cwd: dir };
    expect(await main(['environment', 'keygen', '--out', 'prod.key'], io)).toBe(64);
    expect(err.join('')).toContain('--out prod.key: the file already exists; a key file is never overwritten');
    expect(await readFile(join(dir, 'prod.key'), 'utf8')).toBe('keep me');
  });
});

describe('intctl environment serve with a key file', () => {
  it('exits 64 without a key file, saying how to make one', async () => {
    const dir = await workDir();
    const run = await spawnServe([], { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER });
    expect(run).toMatchObject({ code: 64, served: false });
    expect(run.output).toContain('  - no key file:');
    expect(run.output).toContain('make one with intctl environment keygen --out <file>');
  });

  it('exits 64 with a key file its user may not read, naming it', async () => {
    const dir = await workDir();
    await chmod(dir, 0o755);
    const keyFile = await writeKeyFile(dir);
    // The file is its owner's only; root reads every file, so as root the server runs as another user (as in a pod, uid 10001).
    const root = process.getuid?.() === 0;
    if (!root) await chmod(keyFile.path, 0o000);
    const run = await spawnServe(['--key-file', keyFile.path], { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER }, root ? { uid: 65534, gid: 65534 } : undefined);
    expect(run).toMatchObject({ code: 64, served: false });
    expect(run.output).toContain(`--key-file: cannot read the key file ${keyFile.path}: permission denied (the server runs as a user that may not read it)`);
    expect(run.output).not.toContain(Buffer.from(keyFile.key).toString('base64'));
  });

  it('wraps the keys of a store that holds them in the clear, logs it once, and serves with the same keys', async () => {
    const dir = await workDir();
    const path = join(dir, 'environments', 'prod.db');
    const clear = await openEmbeddedEnvironment(path, { name: 'prod' });
    const keys = { ...clear.keyPair(), fingerprintKey: await clear.fingerprintKey() };
    await clear.close();
    expect(metaRow(path).private_key).toBe(keys.privateKey);
    const keyFile = await writeKeyFile(dir);

    const run = await spawnServe(['--key-file', keyFile.path], { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER });
    expect(run).toMatchObject({ code: 0, served: true });
    expect(run.output).toContain("the environment's private key and fingerprint key were stored in the clear; they are now wrapped with the key file");
    expect(run.output).toContain(`"keyFile":"${keyFile.path}"`);
    for (const secret of [keys.privateKey, keys.fingerprintKey, Buffer.from(keyFile.key).toString('base64')]) expect(run.output).not.toContain(secret);
    const row = metaRow(path);
    expect(row.private_key).toMatch(/^intctl:wrapped:v1:/);
    expect(row.fingerprint_key).toMatch(/^intctl:wrapped:v1:/);
    expect(row.public_key).toBe(keys.publicKey);

    const again = await spawnServe(['--key-file', keyFile.path], { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER });
    expect(again).toMatchObject({ code: 0, served: true });
    expect(again.output).not.toContain('were stored in the clear');
    expect(metaRow(path)).toEqual(row);

    const reopened = await openEmbeddedEnvironment(path, { name: 'prod', keyFile });
    expect({ ...reopened.keyPair(), fingerprintKey: await reopened.fingerprintKey() }).toEqual(keys);
    await reopened.close();
    const withoutKey = openEmbeddedEnvironment(path, { name: 'prod' });
    await expect(withoutKey).rejects.toBeInstanceOf(EnvironmentKeyError);
    await expect(withoutKey).rejects.toThrow(`the keys of environment prod in ${path} are wrapped with a key file, and no key file was given`);
  });

  it('exits 1 with a wrong key file, naming it, and changes nothing', async () => {
    const dir = await workDir();
    const right = await writeKeyFile(dir, 'right.key');
    const wrong = await writeKeyFile(dir, 'wrong.key');
    const env = { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER };
    // A store whose keys the right key file wraps, made as the server makes it (that a server
    // makes it so is the test above).
    const path = join(dir, 'environments', 'prod.db');
    await (await openEmbeddedEnvironment(path, { name: 'prod', keyFile: right })).close();
    const before = metaRow(path);
    expect(before.private_key).toMatch(/^intctl:wrapped:v1:/);

    const run = await spawnServe(['--key-file', wrong.path], env);
    expect(run).toMatchObject({ code: 1, served: false });
    expect(run.output).toContain(`intctl: the key file ${wrong.path} does not open the keys of environment prod in ${path}`);
    expect(run.output).toContain('they were wrapped with another key file (or altered); nothing was changed');
    expect(run.output).not.toContain(Buffer.from(wrong.key).toString('base64'));
    expect(metaRow(path)).toEqual(before);
  });

  it('rotates the key file: started with the new one and the previous one, it rewraps the keys, after which only the new one opens them', async () => {
    const dir = await workDir();
    const previous = await writeKeyFile(dir, 'previous.key');
    const next = await writeKeyFile(dir, 'next.key');
    const env = { INTCTL_STATE_DIR: dir, INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER };
    // A store whose keys the previous key file wraps, made as the server makes it.
    const path = join(dir, 'environments', 'prod.db');
    const old = await openEmbeddedEnvironment(path, { name: 'prod', keyFile: previous });
    const keys = old.keyPair();
    await old.close();

    const run = await spawnServe(['--key-file', next.path, '--previous-key-file', previous.path], env);
    expect(run).toMatchObject({ code: 0, served: true });
    expect(run.output).toContain("the environment's keys were wrapped with the previous key file; they are now wrapped with the key file, and the previous one can be retired");

    const stale = await spawnServe([], { ...env, INTCTL_ENVIRONMENT_KEY_FILE: previous.path });
    expect(stale).toMatchObject({ code: 1, served: false });
    expect(stale.output).toContain(`the key file ${previous.path} does not open the keys of environment prod`);
    const rotated = await openEmbeddedEnvironment(path, { name: 'prod', keyFile: next });
    expect(rotated.keyPair()).toEqual(keys);
    await rotated.close();
  });
});
