/**
 * `intctl env init` and `intctl seal` reach an http environment with the token its manifest
 * names (`token: { env: NAME }`), read from the process environment like every other command.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { environmentManifest, writeRepo } from '../environment-server/support/manifest-repo.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { runCli } from '../helpers/cli.ts';

const TOKEN_VARIABLE = 'INTCTL_TEST_HTTP_ENV_TOKEN';

let served: ServedEnvironment;
let work: string;
beforeEach(async () => {
  served = await serveEnvironment({ name: 'staging' });
  work = await mkdtemp(join(tmpdir(), 'intctl-http-token-'));
  await writeRepo(join(work, 'repo'), { 'environments.yaml': [environmentManifest('staging', { driver: 'http', url: served.url, token: { env: TOKEN_VARIABLE } })] });
  process.env[TOKEN_VARIABLE] = TOKENS.controller;
});
afterEach(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served.close();
  await rm(work, { recursive: true, force: true });
});

describe('commands that open an http environment read its token variable', () => {
  it('intctl env init prints the public key the environment server holds', async () => {
    const run = await runCli(['env', 'init', 'staging', '--repo', join(work, 'repo'), '--state-dir', join(work, 'state')]);
    expect(run).toEqual({ code: 0, stdout: `environment staging: already exists at ${served.url}; its keys are kept\npublic key: ${await served.store.publicKey()}\n`, stderr: '' });
  });

  it('intctl seal seals to the key of the environment server, which opens it', async () => {
    await writeFile(join(work, 'value'), 'hunter2\n');
    const run = await runCli(['seal', '--env', 'staging', '--repo', join(work, 'repo'), '--state-dir', join(work, 'state'), '--from-file', join(work, 'value')]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(openSealed(served.store.keyPair(), run.stdout.trim())).toEqual({ ok: true, value: 'hunter2' });
  });

  it('still says which variable is missing when it is not set', async () => {
    delete process.env[TOKEN_VARIABLE];
    const run = await runCli(['env', 'init', 'staging', '--repo', join(work, 'repo'), '--state-dir', join(work, 'state')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`environment staging: spec.token names variable ${TOKEN_VARIABLE}, which is not set`);
  });
});
