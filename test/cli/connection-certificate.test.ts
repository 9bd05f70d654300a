import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { runCli } from '../helpers/cli.ts';

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

const connection = (devFields: string) => `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: dataverse }
spec:
  system: odata
  auth: { type: oauth2ClientCredentials, clientAuthentication: private_key_jwt, issuer: "https://login.example.com/tenant/v2.0" }
  environments:
    dev:
      endpoint: https://org-dev.example.com/api/data/v9.2
      clientId: 6f1c2a9e-3b4d-4e8a-9c71-0d2b5e8f4a13
${devFields.split('\n').map((l) => `      ${l}`).join('\n')}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intctl-certificate-'));
  await mkdir(join(dir, 'repo', 'connections'), { recursive: true });
  await writeFile(join(dir, 'repo', 'environments.yaml'), ENVIRONMENTS);
  await writeFile(join(dir, 'repo', 'connections', 'dataverse.yaml'), connection('privateKey: { env: DATAVERSE_KEY }'));
  const init = await runCli(['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'], dir);
  if (init.code !== 0) throw new Error(`env init failed: ${init.stderr}`);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function devKeys() {
  const driver = await openEmbeddedEnvironment(join(dir, 'state', 'dev.sqlite'), { name: 'dev', create: false });
  try {
    return driver.keyPair();
  } finally {
    await driver.close();
  }
}

describe('intctl connection certificate', () => {
  it('makes a key pair and a self-signed certificate, seals the key to the environment, and prints the certificate and its thumbprints', async () => {
    const run = await runCli(['connection', 'certificate', 'dataverse', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state', '--out', 'dataverse-dev.cer', '-o', 'json', '--days', '730'], dir);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { certificate: string; subject: string; notAfter: string; thumbprints: { sha1: string; sha256: string }; privateKey: { sealed: string } };
    const certificate = new X509Certificate(printed.certificate);
    expect(printed.subject).toBe('CN=intctl-dataverse-dev');
    expect(certificate.subject).toBe('CN=intctl-dataverse-dev');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(Date.parse(printed.notAfter) - Date.now()).toBeGreaterThan(729 * 86_400_000);
    expect(printed.thumbprints).toEqual({
      sha1: createHash('sha1').update(certificate.raw).digest('hex').toUpperCase(),
      sha256: createHash('sha256').update(certificate.raw).digest('hex').toUpperCase(),
    });
    expect(await readFile(join(dir, 'dataverse-dev.cer'), 'utf8')).toBe(printed.certificate);

    // Only dev opens the key, and it is the certificate's.
    const opened = openSealed(await devKeys(), printed.privateKey.sealed);
    expect(opened.ok).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey((opened as { value: string }).value))).toBe(true);
    expect(run.stdout).not.toContain('PRIVATE KEY');
  });

  it('prints, as text, the two fields to paste into the connection, which then validates', async () => {
    const run = await runCli(['connection', 'certificate', 'dataverse', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^# thumbprint SHA-1 {3}[0-9A-F]{40} {3}\(Entra ID shows this one\)$/m);
    expect(run.stdout).not.toContain('PRIVATE KEY');
    const fields = run.stdout.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    await writeFile(join(dir, 'repo', 'connections', 'dataverse.yaml'), connection(fields));
    const validated = await runCli(['validate', '--repo', 'repo'], dir);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
  });

  it.each([
    [['connection', 'certificate', 'crm', '--env', 'dev'], 'no connection crm is defined in'],
    [['connection', 'certificate', 'dataverse', '--env', 'prod'], 'connection dataverse is not defined for environment prod (connections/dataverse.yaml)'],
    [['connection', 'certificate', 'dataverse', '--env', 'dev', '--days', '0'], "option '--days <days>' argument '0' is invalid. give a whole number of days from 1 to 3650"],
    [['connection', 'certificate', 'dataverse', '--env', 'dev', '--key-size', '1024'], 'give one of 2048, 3072, 4096'],
  ])('refuses %j as a usage error', async (args, message) => {
    const run = await runCli([...args, '--repo', 'repo', '--state-dir', 'state'], dir);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
