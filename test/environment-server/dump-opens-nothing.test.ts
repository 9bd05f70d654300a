import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnvironmentServerConfig } from '../../controller/config/read-config.ts';
import type { KeyFile } from '../../controller/config/key-file.ts';
import { startEnvironmentServer, type RunningEnvironmentServer } from '../../controller/environment-server/start-environment-server.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { unwrapKey } from '../../controller/secrets/wrap-key.ts';
import { writeKeyFile } from '../support/key-files.ts';
import { connection, PLAN, upsert } from '../environments/support/plan-fixtures.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from './support/postgres.ts';

const run = promisify(execFile);
const CONTROLLER = 'dump-test-controller-token-0001';
const SECRET = 'the-crm-api-key-that-must-stay-sealed';
/** A wrapped 32-byte key: nonce, 44 characters of base64 and the MAC, 84 bytes in base64. Exact, since a SQLite record puts columns side by side. */
const WRAPPED_KEY = /intctl:wrapped:v1:[A-Za-z0-9+/]{112}/g;

/** Every standard base64 value of 32 bytes in a text: each is a candidate X25519 private key or key-encryption key. */
function candidates(text: string): Uint8Array[] {
  const out = new Map<string, Uint8Array>();
  for (const match of text.matchAll(/[A-Za-z0-9+/]{43}=/g)) {
    const bytes = Buffer.from(match[0], 'base64');
    if (bytes.length === 32) out.set(match[0], new Uint8Array(bytes));
  }
  return [...out.values()];
}

/**
 * Everything an attacker holding the dump can try: every 32-byte value in it as the private key
 * (with the public key in it), and as a key-encryption key for each wrapped key in it.
 */
function opensWithDumpAlone(dump: string, publicKey: string, sealed: string): boolean {
  const keys = candidates(dump);
  const wrapped = [...dump.matchAll(WRAPPED_KEY)].map((m) => m[0]);
  for (const key of keys) {
    if (openSealed({ publicKey, privateKey: Buffer.from(key).toString('base64') }, sealed).ok) return true;
    for (const value of wrapped) {
      const opened = unwrapKey(key, { purpose: 'private_key', environment: 'prod' }, value);
      if (opened.ok && openSealed({ publicKey, privateKey: opened.key }, sealed).ok) return true;
    }
  }
  return false;
}

/** With the key file: the private key unwrapped from the dump, and the value it opens. */
function openWithKeyFile(dump: string, keyFile: KeyFile, publicKey: string, sealed: string): { privateKey: string; value: string } | undefined {
  for (const match of dump.matchAll(WRAPPED_KEY)) {
    const opened = unwrapKey(keyFile.key, { purpose: 'private_key', environment: 'prod' }, match[0]);
    if (!opened.ok) continue;
    const secret = openSealed({ publicKey, privateKey: opened.key }, sealed);
    if (secret.ok) return { privateKey: opened.key, value: secret.value };
  }
  return undefined;
}

/** The dump opens nothing alone, the key file's key is not in it, and with the key file it opens; the search would have found a clear key. */
function expectOpensOnlyWithKeyFile(dump: string, keyFile: KeyFile, publicKey: string, sealed: string): void {
  expect(dump).toContain(sealed);
  expect(dump).toContain(publicKey);
  expect(opensWithDumpAlone(dump, publicKey, sealed)).toBe(false);
  expect(dump).not.toContain(Buffer.from(keyFile.key).toString('base64'));
  const opened = openWithKeyFile(dump, keyFile, publicKey, sealed);
  expect(opened?.value).toBe(SECRET);
  expect(dump).not.toContain(opened!.privateKey);
  // The search is not idle: had the dump held the private key in the clear, as before, it would have opened.
  expect(opensWithDumpAlone(`${dump}\n${opened!.privateKey}\n`, publicKey, sealed)).toBe(true);
}

describe('a copy of the environment server database opens no sealed value without the key file', () => {
  let work: string | undefined;
  let server: RunningEnvironmentServer | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Starts a server over `env`'s store with a fresh key file, stores a connection whose secret is sealed to it, and stops it. */
  async function storeSealedConnection(env: Record<string, string>): Promise<{ keyFile: KeyFile; publicKey: string; sealed: string }> {
    work = await mkdtemp(join(tmpdir(), 'intctl-dump-'));
    const keyFile = await writeKeyFile(work);
    const config = await readEnvironmentServerConfig(
      { name: 'prod', port: 0 },
      { INTCTL_ENV_SERVER_CONTROLLER_TOKEN: CONTROLLER, INTCTL_ENVIRONMENT_KEY_FILE: keyFile.path, INTCTL_LOG_LEVEL: 'silent', INTCTL_STATE_DIR: work, ...env },
      work,
    );
    server = await startEnvironmentServer(config);
    const driver = new HttpEnvironment({ name: 'prod', url: server.url, token: CONTROLLER });
    const publicKey = await driver.publicKey();
    const sealed = sealSecret(publicKey, SECRET);
    const lease = (await driver.acquireLease('controller-a', 30_000))!;
    expect(await driver.apply(upsert(connection('crm', { apiKey: { sealed } })), { lease, commit: 'c'.repeat(40), plan: PLAN })).toBe('applied');
    await driver.close();
    await server.stop();
    server = undefined;
    return { keyFile, publicKey, sealed };
  }

  it('PostgreSQL: pg_dump of the schema holds the sealed value and no key that opens it; with the key file it opens', async () => {
    const schema = uniqueSchema();
    cleanups.push(() => dropSchema(schema));
    const { keyFile, publicKey, sealed } = await storeSealedConnection({ INTCTL_ENV_SERVER_DATABASE_URL: DATABASE_URL, INTCTL_ENV_SERVER_DATABASE_SCHEMA: schema });

    const { stdout: dump } = await run('/usr/bin/pg_dump', [`--schema=${schema}`, `--dbname=${DATABASE_URL}`], { maxBuffer: 64 * 1024 * 1024 });
    expect(candidates(dump).length).toBeGreaterThan(0);
    expectOpensOnlyWithKeyFile(dump, keyFile, publicKey, sealed);
  });

  it('SQLite: the bytes of the file hold the sealed value and no key that opens it; with the key file it opens', async () => {
    const { keyFile, publicKey, sealed } = await storeSealedConnection({});
    const path = join(work!, 'environments', 'prod.db');
    const bytes = [await readFile(path), await readFile(`${path}-wal`).catch(() => Buffer.alloc(0))];
    const contents = bytes.map((b) => b.toString('latin1')).join('\n');
    expectOpensOnlyWithKeyFile(contents, keyFile, publicKey, sealed);
  });
});
