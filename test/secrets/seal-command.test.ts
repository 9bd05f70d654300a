import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

const BIN = resolve(import.meta.dirname, '../../bin/intctl.js');
const SECRET = 'n0t-in-any-output-7f3a';

const ENVIRONMENTS = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, path: dev.sqlite }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: prod }
spec: { driver: embedded, path: prod.sqlite }
`;

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** A repository with dev and prod, and dev's store made by `intctl env init`. */
async function setUp(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'intctl-seal-'));
  await mkdir(join(dir, 'repo'));
  await writeFile(join(dir, 'repo', 'environments.yaml'), ENVIRONMENTS);
  const init = await runCli(['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'], dir);
  if (init.code !== 0) throw new Error(`env init failed: ${init.stderr}`);
  return dir;
}

async function devKeys(root: string): Promise<ReturnType<typeof generateKeyPair>> {
  const driver = await openEmbeddedEnvironment(join(root, 'state', 'dev.sqlite'), { name: 'dev', create: false });
  try {
    return driver.keyPair();
  } finally {
    await driver.close();
  }
}

/** The real CLI in a child process, with `input` on its standard input. */
function runBin(args: string[], cwd: string, input: string): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, INTCTL_STATE_DIR: join(cwd, 'state') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the CLI may stop reading early, on purpose
    child.stdin.end(input);
  });
}

describe('intctl seal', () => {
  it("reads the value from standard input and prints it sealed to the environment's key", async () => {
    const root = await setUp();
    const run = await runBin(['seal', '--env', 'dev', '--repo', 'repo'], root, `${SECRET}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    expect(run.stdout).not.toContain(SECRET);
    expect(openSealed(await devKeys(root), run.stdout.trim())).toEqual({ ok: true, value: SECRET });
  });

  it('reads the value from a file, keeping inner line breaks and dropping one trailing one', async () => {
    const root = await setUp();
    const value = `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----`;
    await writeFile(join(root, 'key.pem'), `${value}\n`);
    const run = await runCli(['seal', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '--from-file', 'key.pem'], root);
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    expect(openSealed(await devKeys(root), run.stdout.trim())).toEqual({ ok: true, value });
  });

  it("gives a value that another environment's key cannot open", async () => {
    const root = await setUp();
    await writeFile(join(root, 'value'), SECRET);
    const run = await runCli(['seal', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '--from-file', 'value'], root);
    expect(openSealed(generateKeyPair(), run.stdout.trim())).toMatchObject({ ok: false, reason: 'SecretUnsealFailed' });
  });

  it.each([
    ['an environment not initialized yet', ['--env', 'prod'], SECRET, 1, `intctl: environment prod has no store at STATE/prod.sqlite; run intctl env init prod\n`],
    ['an environment the repository does not define', ['--env', 'qa'], SECRET, 64, 'intctl: environment qa is not defined in the repository (defined: dev, prod)\n(run intctl seal --help for usage)\n'],
    ['an empty value', ['--env', 'dev'], '\n', 1, 'intctl: the value is empty\n'],
    ['a value over 64 KiB', ['--env', 'dev'], `${SECRET}${'x'.repeat(64 * 1024)}`, 1, 'intctl: the value is larger than 65536 bytes\n'],
    ['a value that is not UTF-8 text', ['--env', 'dev'], Buffer.from([0xff, 0xfe, 0x41]).toString('latin1'), 1, 'intctl: the value is not UTF-8 text\n'],
    ['a missing file', ['--env', 'dev', '--from-file', 'none'], undefined, 64, 'intctl: --from-file none is not a readable file\n(run intctl seal --help for usage)\n'],
  ])('refuses %s, never printing the value', async (_title, args, value, code, stderr) => {
    const root = await setUp();
    if (value !== undefined) await writeFile(join(root, 'value'), Buffer.from(value, 'latin1'));
    const from = args.includes('--from-file') ? [] : ['--from-file', 'value'];
    const run = await runCli(['seal', ...args, ...from, '--repo', 'repo', '--state-dir', 'state'], root);
    expect(run).toEqual({ code, stdout: '', stderr: stderr.replace('STATE', join(root, 'state')) });
  });

  it('has no way to take the value from the command line', async () => {
    const root = await setUp();
    const run = await runCli(['seal', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', SECRET], root);
    expect(run.code).toBe(64);
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
  });

  it('stops reading standard input past 64 KiB', async () => {
    const root = await setUp();
    const run = await runBin(['seal', '--env', 'dev', '--repo', 'repo'], root, `${SECRET}${'x'.repeat(64 * 1024)}`);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'intctl: the value is larger than 65536 bytes\n' });
  });

  it('needs --env', async () => {
    const root = await setUp();
    const run = await runCli(['seal', '--repo', 'repo', '--state-dir', 'state'], root);
    expect(run).toEqual({ code: 64, stdout: '', stderr: "intctl: required option '--env <name>' not specified\n(run intctl seal --help for usage)\n" });
  });
});
