/**
 * A sealed private key the plan would apply is checked against its connection's certificate by
 * the environment, the only place it opens, before anything is applied: a key that does not
 * match fails the plan (exit 1) at the `privateKey` line of the manifest, and nothing of the key
 * is printed, logged, sent or answered. In http mode the environment server answers one verdict
 * a key pair, and only that.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentDriver } from '../../controller/environments/driver.ts';
import { HttpEnvironment } from '../../controller/environments/http/http-environment.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { serveEnvironment, TOKENS, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { wrapDriver } from '../environments/support/wrap-driver.ts';
import { runCli } from '../helpers/cli.ts';
import { pkcs12Of, selfSignedIdentity, type TestIdentity } from '../support/test-pki.ts';

/** How a case gives prod's key: sealed, with its password sealed when it has one. */
type SealedKey = () => Promise<{ key: string; password?: string }>;

const BASE = join(import.meta.dirname, '..', 'fixtures', 'bad-input', '_base');

let own: TestIdentity;
let other: TestIdentity;
/** Lines of the keys' own text: none may show anywhere outside the environment. */
let canaries: string[];
beforeAll(() => {
  own = selfSignedIdentity('intctl-runtime');
  other = selfSignedIdentity('intctl-runtime');
  canaries = [own, other].flatMap((identity) => identity.keyPem.split('\n').slice(1, 4));
});

let work: string;
let repo: string;
let state: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-key-pairs-'));
  repo = join(work, 'repo');
  state = join(work, 'state');
  await cp(BASE, repo, { recursive: true });
});
afterEach(async () => rm(work, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--repo', repo, '--state-dir', state]);

const indent = (text: string, by: string): string => text.trim().split('\n').map((line) => `${by}${line}`).join('\n');

/** The crm connection with a client certificate: prod's key sealed (line 12), its certificate own's; dev's key and certificate plain and matching. */
async function giveProdKey(privateKey: string, keyPassword?: string): Promise<void> {
  const text = `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata:
  name: crm
spec:
  system: openapi
  auth:
    type: clientCertificate
  environments:
    prod:
      endpoint: https://crm.example.com/api
      privateKey: { sealed: "${privateKey}" }
${keyPassword === undefined ? '' : `      keyPassword: { sealed: "${keyPassword}" }\n`}      certificate: |
${indent(own.certificatePem, '        ')}
    dev:
      endpoint: https://crm-dev.example.com/api
      privateKey:
        plain: |
${indent(own.keyPem, '          ')}
      certificate: |
${indent(own.certificatePem, '        ')}
`;
  await writeFile(join(repo, 'connections.yaml'), text);
}

/** A text sealed with `intctl seal` for the environment named. */
async function sealFor(environment: string, text: string): Promise<string> {
  const file = join(work, 'secret.txt');
  await writeFile(file, text);
  const run = await cli('seal', '--env', environment, '--from-file', file);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

function expectNoKey(text: string): void {
  for (const line of canaries) expect(text).not.toContain(line);
}

const MISMATCH = /^connections\.yaml:12:19: error: spec\.environments\.prod\.privateKey does not match the certificate of CN=intctl-runtime \(environment prod opened the key to compare them\); give the key of this certificate, or the certificate of this key \(Connection crm\)$/m;

describe('intctl plan checks the sealed private keys it would apply against their certificates', () => {
  beforeEach(async () => {
    for (const env of ['dev', 'prod']) expect((await cli('env', 'init', env)).code).toBe(0);
  });

  it.each<[string, SealedKey]>([
    ['a PEM key of another certificate', async () => ({ key: await sealFor('prod', other.keyPem) })],
    ['a PKCS#12 file of another certificate', async () => ({ key: await sealFor('prod', pkcs12Of(other, 'p12-pass')), password: await sealFor('prod', 'p12-pass') })],
  ])('fails the plan on %s: exit 1, file, line and field privateKey, nothing applied, no key anywhere', async (_name, make) => {
    const { key, password } = await make();
    await giveProdKey(key, password);
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);

    const planned = await cli('plan', '--env', 'prod');
    expect(planned.stdout).toMatch(MISMATCH);
    expect(planned.stderr).toBe('intctl: prod: a private key does not match its certificate (connection crm); nothing applied (ValidationFailed)\n');
    expect(planned.code).toBe(1);

    const json = JSON.parse((await cli('plan', '--env', 'prod', '-o', 'json')).stdout);
    expect(json.outcome.kind).toBe('ValidationFailed');
    expect(json.problems).toEqual([expect.objectContaining({ file: 'connections.yaml', line: 12, reason: 'KeyCertificateMismatch', field: 'spec.environments.prod.privateKey' })]);

    const applied = await cli('apply', '--env', 'prod');
    expect(applied.code).toBe(1);
    const installed = await cli('get', 'dependencies', '--env', 'prod', '-o', 'json');
    expect(JSON.parse(installed.stdout).map((row: { installed: string | null }) => row.installed)).toEqual([null, null, null, null, null]);
    for (const run of [planned, applied]) expectNoKey(`${run.stdout}${run.stderr}`);
  });

  it('fails the plan on a sealed value that is not a key the runtime reads (KeyUnreadable)', async () => {
    await giveProdKey(await sealFor('prod', 'a password pasted in place of the key'));
    const planned = await cli('plan', '--env', 'prod', '-o', 'json');
    expect(planned.code).toBe(1);
    expect(JSON.parse(planned.stdout).problems).toEqual([expect.objectContaining({ line: 12, reason: 'KeyUnreadable', field: 'spec.environments.prod.privateKey' })]);
  });

  it.each<[string, SealedKey]>([
    ['its PEM key', async () => ({ key: await sealFor('prod', own.keyPem) })],
    ['its PKCS#12 file and password', async () => ({ key: await sealFor('prod', pkcs12Of(own, 'p12-pass')), password: await sealFor('prod', 'p12-pass') })],
  ])('plans a certificate sealed with %s as a change (exit 2)', async (_name, make) => {
    const { key, password } = await make();
    await giveProdKey(key, password);
    const planned = await cli('plan', '--env', 'prod');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
  });

  it('asks about a plain PKCS#12 key of dev too, which validation cannot read, and fails the plan at it', async () => {
    await giveProdKey(await sealFor('prod', own.keyPem));
    const file = join(repo, 'connections.yaml');
    const text = await readFile(file, 'utf8');
    const devKey = text.indexOf('      privateKey:\n        plain: |');
    expect(devKey).toBeGreaterThan(0);
    const pkcs12 = `      privateKey: { plain: "${pkcs12Of(other, 'p12-pass')}" }\n      keyPassword: { plain: p12-pass }\n`;
    await writeFile(file, text.slice(0, devKey) + pkcs12 + text.slice(text.indexOf('      certificate:', devKey)));
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);

    const planned = await cli('plan', '--env', 'dev', '-o', 'json');
    expect(planned.code).toBe(1);
    expect(JSON.parse(planned.stdout).problems).toEqual([expect.objectContaining({ reason: 'KeyCertificateMismatch', field: 'spec.environments.dev.privateKey' })]);
    expect(planned.stdout).not.toContain('p12-pass');
  });

  it('does not ask about a key given as a reference: it is read where and when the connection is used', async () => {
    await giveProdKey(await sealFor('prod', other.keyPem));
    const file = join(repo, 'connections.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/privateKey: \{ sealed: "[^"]+" \}/, 'privateKey: { env: CRM_KEY }'));
    const planned = await cli('plan', '--env', 'prod');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
  });

  it('reports a key sealed for another environment as SecretUnsealFailed, as any sealed value, and no mismatch', async () => {
    await giveProdKey(await sealFor('dev', own.keyPem));
    const planned = await cli('plan', '--env', 'prod', '-o', 'json');
    expect(planned.code).toBe(1);
    expect(JSON.parse(planned.stdout).problems).toEqual([expect.objectContaining({ line: 12, reason: 'SecretUnsealFailed', field: 'spec.environments.prod.privateKey.sealed' })]);
  });
});

describe('a plan through the environment server', () => {
  let served: ServedEnvironment;
  beforeEach(async () => {
    served = await serveEnvironment({ name: 'prod' });
    // prod applies on its own here: no approvals, no promotion to wait for.
    const environments = await readFile(join(repo, 'environments.yaml'), 'utf8');
    await writeFile(join(repo, 'environments.yaml'), environments.replace(/ {2}promotesFrom: dev\n[\s\S]*$/, '  policy: { autoApply: true }\n'));
  });
  afterEach(async () => served.close());

  /** An http driver that keeps every request and response body, and counts the key pairs it is asked about. */
  function recorded(): { driver: EnvironmentDriver; bodies: string[]; asked: number[] } {
    const bodies: string[] = [];
    const asked: number[] = [];
    const fetchAndKeep: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') bodies.push(init.body);
      const response = await fetch(input, init);
      const text = await response.text();
      bodies.push(text);
      return new Response(text === '' ? null : text, { status: response.status, headers: response.headers });
    };
    const http = new HttpEnvironment({ name: 'prod', url: served.url, token: TOKENS.controller, fetch: fetchAndKeep });
    const driver = wrapDriver(http, {
      verifyKeyPairs: async (pairs) => {
        asked.push(pairs.length);
        return http.verifyKeyPairs(pairs);
      },
    });
    return { driver, bodies, asked };
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

  it('asks the server, and fails the plan at the key that does not match, without the key in a log line or an HTTP body', async () => {
    await giveProdKey(sealSecret(await served.driver.publicKey(), other.keyPem));
    const { driver, bodies, asked } = recorded();
    const report = await reconcile('apply', driver);
    expect(report.outcome).toEqual({ kind: 'ValidationFailed', message: 'a private key does not match its certificate (connection crm); nothing applied' });
    expect(report.problems).toEqual([expect.objectContaining({ file: 'connections.yaml', line: 12, column: 19, reason: 'KeyCertificateMismatch', field: 'spec.environments.prod.privateKey' })]);
    expect(asked).toEqual([1]);
    expect(bodies).toContain('{"verdicts":["mismatch"]}');
    expect(served.logs.lines().some((line) => JSON.stringify(line).includes('/v1/secrets/verify-key-pairs'))).toBe(true);
    expectNoKey(served.logs.text());
    expectNoKey(bodies.join('\n'));
    expectNoKey(JSON.stringify(report.problems));
    expect(await served.driver.actionLog()).toEqual([]);
  });

  it('applies a matching key, and asks only about the connections the plan applies', async () => {
    await giveProdKey(sealSecret(await served.driver.publicKey(), own.keyPem));
    const first = recorded();
    expect((await reconcile('apply', first.driver)).outcome).toMatchObject({ kind: 'Applied' });
    expect(first.asked).toEqual([1]);
    expect(first.bodies).toContain('{"verdicts":["matches"]}');
    expect(await served.store.connection('crm')).toMatchObject({ name: 'crm', authType: 'clientCertificate' });

    const again = recorded();
    expect((await reconcile('plan', again.driver)).outcome).toEqual({ kind: 'Planned', pending: 0, drifted: [] });
    expect(again.asked).toEqual([]);
  });
});
