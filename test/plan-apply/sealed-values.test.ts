/**
 * A sealed value the plan would apply is opened by the environment before anything is applied:
 * one sealed for another environment, or altered, fails the plan (exit 1) with its file, line and
 * field, and nothing of the secret is printed, logged or answered. In http mode the controller
 * holds no key: the environment server answers which values open, and only that.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentDriver } from '../../controller/environments/driver.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { serveEnvironment, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { wrapDriver } from '../environments/support/wrap-driver.ts';
import { runCli } from '../helpers/cli.ts';

const BASE = join(import.meta.dirname, '..', 'fixtures', 'bad-input', '_base');
const SECRET = 'prod-crm-key-5f1d0c2b9a';
/** Where prod's apiKey is given in the base's connections.yaml. */
const PROD_API_KEY = '{ env: CRM_API_KEY }';

let work: string;
let repo: string;
let state: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-sealed-'));
  repo = join(work, 'repo');
  state = join(work, 'state');
  await cp(BASE, repo, { recursive: true });
});
afterEach(async () => rm(work, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--repo', repo, '--state-dir', state]);

async function giveProdApiKey(sealed: string): Promise<void> {
  const file = join(repo, 'connections.yaml');
  const text = await readFile(file, 'utf8');
  expect(text).toContain(PROD_API_KEY);
  await writeFile(file, text.replace(PROD_API_KEY, `{ sealed: "${sealed}" }`));
}

/** The secret, sealed with `intctl seal` for the environment named. */
async function sealFor(environment: string): Promise<string> {
  const file = join(work, 'secret.txt');
  await writeFile(file, SECRET);
  const run = await cli('seal', '--env', environment, '--from-file', file);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

function alter(sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64');
  bytes[40]! ^= 0x20;
  return bytes.toString('base64');
}

const ENVIRONMENTS = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, policy: { plainSecrets: true } }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: prod }
spec: { driver: embedded }
`;

const LOCATED = /^connections\.yaml:17:\d+: error: spec\.environments\.prod\.apiKey\.sealed does not open with environment prod's key: it was sealed for another environment, or altered; seal the secret again with `intctl seal --env prod` \(Connection crm\)$/m;

describe('intctl plan opens the sealed values it would apply', () => {
  beforeEach(async () => {
    for (const env of ['dev', 'prod']) expect((await cli('env', 'init', env)).code).toBe(0);
  });

  it.each([
    ['sealed for another environment', async () => sealFor('dev')],
    ['altered after sealing', async () => alter(await sealFor('prod'))],
  ])('fails the plan when a value is %s: exit 1, file, line and field, and no secret', async (_name, make) => {
    await giveProdApiKey(await make());
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);

    const planned = await cli('plan', '--env', 'prod');
    expect(planned.stdout).toMatch(LOCATED);
    expect(planned.stderr).toBe("intctl: prod: a sealed value does not open with environment prod's key (connection crm apiKey); nothing applied (ValidationFailed)\n");
    expect(planned.code).toBe(1);

    const json = JSON.parse((await cli('plan', '--env', 'prod', '-o', 'json')).stdout);
    expect(json.outcome.kind).toBe('ValidationFailed');
    expect(json.problems).toEqual([expect.objectContaining({ file: 'connections.yaml', line: 17, reason: 'SecretUnsealFailed', field: 'spec.environments.prod.apiKey.sealed' })]);

    const applied = await cli('apply', '--env', 'prod');
    expect(applied.code).toBe(1);
    const log = await cli('get', 'dependencies', '--env', 'prod', '-o', 'json');
    expect(JSON.parse(log.stdout).map((row: { installed: string | null }) => row.installed)).toEqual([null, null, null, null, null]);
    for (const run of [planned, applied]) expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
  });

  it('plans a value sealed for the environment itself as a change (exit 2)', async () => {
    await giveProdApiKey(await sealFor('prod'));
    const planned = await cli('plan', '--env', 'prod');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
  });
});

describe('a plan through the environment server', () => {
  let served: ServedEnvironment;
  beforeEach(async () => {
    served = await serveEnvironment({ name: 'prod' });
    // prod applies on its own here: no approvals, no promotion to wait for.
    await writeFile(join(repo, 'environments.yaml'), ENVIRONMENTS);
  });
  afterEach(async () => served.close());

  /** The http driver, counting the sealed values it is asked to verify. */
  function counted(): { driver: EnvironmentDriver; asked: string[][] } {
    const asked: string[][] = [];
    const driver = served.driver;
    const wrapper = wrapDriver(driver, {
      verifySealed: async (sealed) => {
        asked.push([...sealed]);
        return driver.verifySealed(sealed);
      },
    });
    return { driver: wrapper, asked };
  }

  async function reconcile(mode: 'plan' | 'apply', driver: EnvironmentDriver) {
    const reader = fsRepository(repo);
    const runner = createEnvironmentRunner({
      load: async () => ({ commit: 'c'.repeat(40), reader, ...(await loadAndValidate(reader)) }),
      openDriver: async () => driver,
      trigger: 'manual',
      holder: 'test',
      leaseTtlMs: 30_000,
    });
    return (await runner.reconcile('prod', mode)).report;
  }

  it('asks the server which values open, and fails the plan at the value that does not, without its secret anywhere', async () => {
    await giveProdApiKey(sealSecret(generateKeyPair().publicKey, SECRET));
    const { driver, asked } = counted();
    const report = await reconcile('plan', driver);
    expect(report.outcome).toEqual({ kind: 'ValidationFailed', message: "a sealed value does not open with environment prod's key (connection crm apiKey); nothing applied" });
    expect(report.problems).toEqual([expect.objectContaining({ file: 'connections.yaml', line: 17, reason: 'SecretUnsealFailed', field: 'spec.environments.prod.apiKey.sealed' })]);
    expect(asked).toHaveLength(1);
    expect(served.logs.lines().some((line) => JSON.stringify(line).includes('/v1/secrets/verify'))).toBe(true);
    expect(served.logs.text()).not.toContain(SECRET);
    expect(await served.driver.actionLog()).toEqual([]);
  });

  it('asks only about the connections the plan applies, so an unchanged connection costs nothing', async () => {
    await giveProdApiKey(sealSecret(await served.driver.publicKey(), SECRET));
    const first = counted();
    expect((await reconcile('apply', first.driver)).outcome).toMatchObject({ kind: 'Applied' });
    expect(first.asked.map((values) => values.length)).toEqual([1]);

    const again = counted();
    expect((await reconcile('plan', again.driver)).outcome).toEqual({ kind: 'Planned', pending: 0, drifted: [] });
    expect(again.asked).toEqual([]);
  });
});
