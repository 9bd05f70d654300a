/**
 * No secret in the clear anywhere: known secret values are planted in a copy of the example
 * repository (a plain one for dev, one sealed to test with `intctl seal` from standard input,
 * and the values of the variables env references name), the whole flow runs through the CLI,
 * and every line printed, every artifact and every file of every environment's store (the
 * SQLite database, its write-ahead log and shared memory) is searched for each value, as is and
 * encoded (base64 at every alignment, base64url, hex, UTF-16).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../../controller/demo/run-demo.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { deadline } from '../support/time.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'intctl.js');
const EXAMPLES = join(ROOT, 'examples');
const tag = randomBytes(6).toString('hex');
const PLAIN = `planted-plain-${tag}`;
const SEALED = `planted-sealed-${tag}`;

/** Every way a value could be written down that a search for the raw bytes would miss. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out = [secret, bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  // Base64 inside a longer encoded text: whichever of the first three bytes starts a group, the groups after it encode the same.
  for (let k = 0; k < 3; k++) {
    const groups = Math.floor((bytes.length - k) / 3);
    const core = bytes.subarray(k, k + groups * 3);
    out.push(core.toString('base64'), core.toString('base64url'));
  }
  out.push(Buffer.from(secret, 'utf16le').toString('latin1'));
  return out;
}

/** The secrets (by label) found in a haystack, in any of their encodings. Bytes are read as latin1, one character a byte. */
function findSecrets(haystack: Buffer | string, secrets: ReadonlyMap<string, string>): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  const found: string[] = [];
  for (const [label, secret] of secrets) if (encodings(secret).some((form) => text.includes(form))) found.push(label);
  return found;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The CLI as a child process, with `input` on its standard input: how `intctl seal` takes a value. */
function runBin(args: string[], cwd: string, input: string): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function replaceIn(path: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} is not in ${path}`);
  await writeFile(path, next);
}

async function keyPairOf(path: string, name: string): Promise<{ publicKey: string; privateKey: string }> {
  const driver = await openEmbeddedEnvironment(path, { name, create: false });
  try {
    return driver.keyPair();
  } finally {
    await driver.close();
  }
}

function storedSecrets(path: string, connection: string): Record<string, Record<string, string>> {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare<[string], { secrets: string }>('SELECT secrets FROM connections WHERE name = ?').get(connection);
    if (!row) throw new Error(`no connection ${connection} in ${path}`);
    return JSON.parse(row.secrets) as Record<string, Record<string, string>>;
  } finally {
    db.close();
  }
}

describe('no secret in the clear anywhere', () => {
  let dir: string;
  const printed: { what: string; text: string }[] = [];
  const secrets = new Map<string, string>();
  const variables: string[] = [];

  const cli = async (args: string[]): Promise<CliRun> => {
    const run = await runCli(args, dir);
    printed.push({ what: `intctl ${args.join(' ')}`, text: `${run.stdout}${run.stderr}` });
    return run;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'intctl-secrets-'));
    const repo = join(dir, 'repo');
    await cp(EXAMPLES, repo, { recursive: true });
    await replaceIn(join(repo, 'connections', 'sap-s4.yaml'), '{ plain: dev-only-password }', `{ plain: ${PLAIN} }`);
    secrets.set('planted plain (dev)', PLAIN);
    secrets.set('planted sealed (test)', SEALED);
    // Every other plain value of the examples is a secret too.
    for (const file of await filesUnder(repo)) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/\{ plain: ([^\s}]+) \}/g)) secrets.set(`plain in ${relative(repo, file)}`, match[1]!);
      for (const match of (await readFile(file, 'utf8')).matchAll(/\{ env: ([A-Z0-9_]+) \}/g)) variables.push(match[1]!);
    }
    // The values of the variables env references name, in the controller's own environment.
    for (const name of new Set(variables)) {
      const value = `planted-env-${name.toLowerCase()}-${tag}`;
      process.env[name] = value;
      secrets.set(`value of $${name}`, value);
    }
    expect(variables.length).toBeGreaterThan(0);
  });

  afterAll(async () => {
    for (const name of new Set(variables)) delete process.env[name];
    await rm(dir, { recursive: true, force: true });
  });

  it('appears in no output, log line, artifact or environment store, while it does reach the environments sealed', async () => {
    const repo = join(dir, 'repo');
    const state = join(dir, 'state');
    // Whatever is printed outside the CLI's own output, by anything.
    const stray: string[] = [];
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (stray.push(String(chunk)), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stray.push(String(chunk)), true)),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void stray.push(args.map(String).join(' ')))),
    ];
    try {
      for (const env of ['dev', 'test', 'prod']) expect((await cli(['env', 'init', env, '--repo', 'repo', '--state-dir', 'state'])).code).toBe(0);

      // Sealed for test through `intctl seal`, the value on standard input.
      const sealed = await runBin(['seal', '--env', 'test', '--repo', 'repo', '--state-dir', 'state'], dir, `${SEALED}\n`);
      printed.push({ what: 'intctl seal --env test', text: `${sealed.stdout}${sealed.stderr}` });
      expect(sealed.code, sealed.stderr).toBe(0);
      await replaceIn(join(repo, 'connections', 'dataverse.yaml'), '{ env: DATAVERSE_CLIENT_SECRET }', `{ sealed: "${sealed.stdout.trim()}" }`);

      expect((await cli(['validate', 'repo'])).code).toBe(0);
      await cli(['validate', 'repo', '-o', 'json']);
      for (const env of ['dev', 'test', 'prod']) {
        for (const output of ['text', 'json']) await cli(['plan', '--env', env, 'repo', '--state-dir', 'state', '-o', output]);
        expect((await cli(['apply', '--env', env, 'repo', '--state-dir', 'state'])).code).toBe(env === 'prod' ? 1 : 0);
        await cli(['apply', '--env', env, 'repo', '--state-dir', 'state', '-o', 'json']);
        for (const resource of ['integrations', 'connections', 'dependencies']) {
          for (const output of ['text', 'json']) expect((await cli(['get', resource, 'repo', '--env', env, '--state-dir', 'state', '-o', output])).code).toBe(0);
        }
      }
      expect((await cli(['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'])).code).toBe(0);
      for (const [integration, env] of [['crm', 'dev'], ['sales-orders', 'dev'], ['dataverse-accounts', 'test']] as const) {
        expect((await cli(['generate', integration, '--repo', 'repo', '--env', env, '-o', join('artifacts', integration)])).code).toBe(0);
      }
      const demo: string[] = [];
      await runDemo({ examples: repo, workDir: join(dir, 'demo'), config: { holder: 'secret-test', leaseTtlMs: 30_000 }, write: (text) => void demo.push(text) });
      printed.push({ what: 'intctl demo', text: demo.join('') });

      // Where it goes wrong, the messages must not quote the value either.
      const wrong = join(dir, 'wrong');
      await cp(repo, wrong, { recursive: true });
      await replaceIn(join(wrong, 'connections', 'crm.yaml'), '{ file: /var/run/secrets/intctl/crm-api/api-key }', `{ plain: ${PLAIN} }`);
      await replaceIn(join(wrong, 'connections', 'sap-s4.yaml'), '{ env: SAP_S4_TEST_PASSWORD }', `{ env: SAP_S4_TEST_PASSWORD, plain: ${PLAIN} }`);
      await replaceIn(join(wrong, 'connections', 'order-history-db.yaml'), '{ env: ORDER_HISTORY_DB_PASSWORD }', PLAIN);
      const refused = await cli(['validate', 'wrong']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('plain-text secrets are refused in environment prod');
      await cli(['validate', 'wrong', '-o', 'json']);
      expect((await cli(['apply', '--env', 'prod', 'wrong', '--state-dir', 'state'])).code).toBe(1);

      // A value sealed to dev's key, given to test: refused by the plan, at its line, without saying what it was.
      const misdirected = join(dir, 'misdirected');
      await cp(repo, misdirected, { recursive: true });
      const forDev = sealSecret((await keyPairOf(join(state, 'dev.sqlite'), 'dev')).publicKey, SEALED);
      await replaceIn(join(misdirected, 'connections', 'dataverse.yaml'), /\{ sealed: "[^"]+" \}/, `{ sealed: "${forDev}" }`);
      const unsealable = await cli(['apply', '--env', 'test', 'misdirected', '--state-dir', 'state']);
      expect(unsealable.code).toBe(1);
      expect(unsealable.stdout).toContain("spec.environments.test.clientSecret.sealed does not open with environment test's key");
      expect(unsealable.stderr).toContain("a sealed value does not open with environment test's key (connection dataverse clientSecret)");
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    printed.push({ what: 'anything else printed', text: stray.join('') });

    // The search is real: it finds each planted value where it is meant to be, in every encoding.
    // Where secrets are meant to be: the manifests a person wrote, and the demo's copy of them.
    const controls = [join(dir, 'repo'), join(dir, 'wrong'), join(dir, 'misdirected'), join(dir, 'demo', 'repo')];
    expect(findSecrets(await readFile(join(dir, 'repo', 'connections', 'sap-s4.yaml')), secrets)).toContain('planted plain (dev)');
    for (const form of encodings(PLAIN)) {
      expect(findSecrets(Buffer.concat([randomBytes(7), Buffer.from(form, 'latin1'), randomBytes(5)]), secrets)).toContain('planted plain (dev)');
    }
    expect(findSecrets(`x${Buffer.from(`ab${PLAIN}cd`).toString('base64')}`, secrets)).toContain('planted plain (dev)');
    expect(findSecrets(`x${Buffer.from(`a${SEALED}`).toString('hex')}`, secrets)).toContain('planted sealed (test)');

    // The values did travel: the environments hold them, sealed to their own keys, or as references.
    const devStore = join(state, 'dev.sqlite');
    const testStore = join(state, 'test.sqlite');
    expect(openSealed(await keyPairOf(devStore, 'dev'), storedSecrets(devStore, 'sap-s4').password!.sealed!)).toEqual({ ok: true, value: PLAIN });
    expect(openSealed(await keyPairOf(testStore, 'test'), storedSecrets(testStore, 'dataverse').clientSecret!.sealed!)).toEqual({ ok: true, value: SEALED });
    expect(storedSecrets(testStore, 'sap-s4')).toEqual({ password: { env: 'SAP_S4_TEST_PASSWORD' } });
    expect(process.env.SAP_S4_TEST_PASSWORD).toBe(secrets.get('value of $SAP_S4_TEST_PASSWORD'));

    // And nowhere else.
    const leaks: string[] = [];
    for (const { what, text } of printed) for (const label of findSecrets(text, secrets)) leaks.push(`${label} in the output of ${what}`);
    const files = (await filesUnder(dir)).filter((file) => !controls.some((c) => file.startsWith(`${c}/`)));
    for (const file of files) for (const label of findSecrets(await readFile(file), secrets)) leaks.push(`${label} in ${relative(dir, file)}`);
    expect(leaks).toEqual([]);

    // What was searched: every store with its write-ahead files where SQLite kept them, and every artifact.
    const searched = files.map((f) => relative(dir, f));
    expect(searched).toEqual(expect.arrayContaining(['state/dev.sqlite', 'state/test.sqlite', 'state/prod.sqlite', 'demo/state/dev.sqlite', 'artifacts/crm/catalog.json', 'artifacts/sales-orders/index.d.ts']));
    expect(printed.length).toBeGreaterThan(40);
  }, deadline(60_000));
});
