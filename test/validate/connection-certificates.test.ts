import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalize } from '../../controller/core/finalize.ts';
import { issueCertificate } from '../../controller/secrets/issue-certificate.ts';
import { runCli } from '../helpers/cli.ts';
import { connectionManifest, environmentManifest, writeRepo } from '../environment-server/support/manifest-repo.ts';

const DAY = 86_400_000;
let work: string;
let n = 0;

/** A key pair and a self-signed certificate that ends `endsInDays` from now (negative: ended). */
function pair(endsInDays: number) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = issueCertificate({ commonName: 'intctl-runtime', publicKey, privateKey, notBefore: Date.now() + (endsInDays - 365) * DAY, days: 365 });
  return { certificate, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** A repository with one dev environment (plain secrets allowed) and one connection defined for it. */
async function repoWith(auth: Record<string, unknown>, dev: Record<string, unknown>): Promise<string> {
  const repo = join(work, `repo-${n++}`);
  await writeRepo(repo, {
    'environments.yaml': [environmentManifest('dev', { driver: 'embedded', policy: { autoApply: true, plainSecrets: true } })],
    'connections/erp.yaml': [connectionManifest('erp', { system: 'openapi', auth, environments: { dev: { endpoint: 'https://erp.example.com/api', ...dev } } })],
  });
  return repo;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-certificates-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe('intctl validate: connection certificates, checked without opening a secret', () => {
  it('refuses an expired certificate, naming file, line and field', async () => {
    const { certificate } = pair(-2);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { env: 'ERP_KEY' } });
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^connections\/erp\.yaml:\d+:\d+: error: spec\.environments\.dev\.certificate the certificate of CN=intctl-runtime expired on \d{4}-\d\d-\d\d; make a new one \(intctl connection certificate\) and register it with the system \(Connection erp\)$/m);
  });

  it('warns of a certificate that expires within 30 days, and passes', async () => {
    const { certificate } = pair(10);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { env: 'ERP_KEY' } });
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/warning: spec\.environments\.dev\.certificate the certificate of CN=intctl-runtime expires on \d{4}-\d\d-\d\d, in (9|10) days; make the next one/);
  });

  it('refuses a plain key that does not match its certificate, and says nothing of the key', async () => {
    const { certificate } = pair(200);
    const other = pair(200);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { plain: other.keyPem } });
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('error: spec.environments.dev.privateKey does not match the certificate of CN=intctl-runtime (Connection erp)');
    expect(run.stdout + run.stderr).not.toContain(other.keyPem.split('\n')[1]!);
  });

  it('accepts a matching plain key and a certificate valid for long enough', async () => {
    const { certificate, keyPem } = pair(200);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { plain: keyPem } });
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('refuses a certificate that is not PEM X.509', async () => {
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', privateKey: { env: 'ERP_KEY' } });
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('error: spec.environments.dev.certificate certificate 1 is not a valid X.509 certificate (Connection erp)');
  });
});

describe('intctl validate: what each OAuth client authentication needs', () => {
  it.each([
    ['private_key_jwt without a privateKey', { type: 'oauth2ClientCredentials', tokenUrl: 'https://login.example.com/token', clientAuthentication: 'private_key_jwt' }, { clientId: 'app' }, 1, 'spec.environments.dev.privateKey is required when auth type is oauth2ClientCredentials and clientAuthentication is private_key_jwt'],
    ['a clientSecret that private_key_jwt does not use', { type: 'oauth2ClientCredentials', tokenUrl: 'https://login.example.com/token', clientAuthentication: 'private_key_jwt' }, { clientId: 'app', privateKey: { env: 'K' }, clientSecret: { env: 'S' } }, 1, 'spec.environments.dev.clientSecret is not used when clientAuthentication is private_key_jwt'],
    ['an issuer in place of tokenUrl', { type: 'oauth2ClientCredentials', issuer: 'https://login.example.com/tenant/v2.0' }, { clientId: 'app', clientSecret: { env: 'S' } }, 0, ''],
    ['the JWT bearer grant, with no client secret', { type: 'oauth2JwtBearer', tokenUrl: 'https://login.example.com/token', audience: 'https://login.example.com' }, { clientId: 'app', subject: 'bot@example.com', privateKey: { env: 'K' } }, 0, ''],
    ['a token endpoint over plain http', { type: 'oauth2ClientCredentials', tokenUrl: 'http://login.example.com/token' }, { clientId: 'app', clientSecret: { env: 'S' } }, 1, 'spec.auth.tokenUrl must be https (plain http is allowed to a loopback address only): credentials are sent to it'],
    ['an issuer over plain http, in one environment', { type: 'oauth2ClientCredentials' }, { clientId: 'app', clientSecret: { env: 'S' }, issuer: 'http://login.example.com/tenant' }, 1, 'spec.environments.dev.issuer must be https'],
    ['a token endpoint on the loopback address', { type: 'oauth2ClientCredentials', tokenUrl: 'http://127.0.0.1:8080/token' }, { clientId: 'app', clientSecret: { env: 'S' } }, 0, ''],
    ['clientAuthentication on an API key connection', { type: 'apiKey', apiKeyName: 'X-Key', clientAuthentication: 'none' }, { apiKey: { env: 'K' } }, 1, 'spec.auth.clientAuthentication does not apply to auth type apiKey'],
  ])('%s', async (_name, auth, dev, code, message) => {
    const repo = await repoWith(auth, dev);
    const run = await runCli(['validate', '--repo', repo]);
    expect(run.code, run.stdout + run.stderr).toBe(code);
    if (message) expect(run.stdout).toContain(message);
  });
});

describe('intctl plan: shows the warning of a certificate expiring soon, for the environment planned', () => {
  it('prints it with the plan, which still runs', async () => {
    const { certificate } = pair(5);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { env: 'ERP_KEY' } });
    const run = await runCli(['plan', '--repo', repo, '--env', 'dev', '--state-dir', join(work, 'state')]);
    expect(run.code, run.stdout + run.stderr).not.toBe(1);
    expect(run.stdout).toMatch(/warning: spec\.environments\.dev\.certificate the certificate of CN=intctl-runtime expires on \d{4}-\d\d-\d\d, in [45] days/);
    expect(run.stdout).toContain('erp');
  });
});

describe('the environment status: Ready, with the warning of a certificate expiring soon', () => {
  it('intctl apply ends Ready and names the connection whose certificate expires soon', async () => {
    const { certificate } = pair(5);
    const repo = await repoWith({ type: 'clientCertificate' }, { certificate, privateKey: { env: 'ERP_KEY' } });
    const run = await runCli(['apply', '--repo', repo, '--env', 'dev', '--state-dir', join(work, 'state-apply'), '-o', 'json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { outcome: { kind: string; warnings?: string[] } };
    expect(report.outcome.kind).toBe('Applied');
    expect(report.outcome.warnings).toEqual([expect.stringMatching(/^connection erp: the certificate of CN=intctl-runtime expires on \d{4}-\d\d-\d\d, in [45] days; /)]);
  });

  it('finalize keeps Ready=True, puts the warning in its message and a Warning event, and sets CertificatesExpiring=True with the connection', () => {
    const finalized = finalize({ environment: 'dev', outcome: { kind: 'Applied', applied: 0, drifted: [], warnings: ['connection erp: the certificate expires soon'] }, commit: 'c'.repeat(40) }, undefined, new Date('2026-12-02T10:00:00Z'), { waitingMs: 1, leaseHeldMs: 1 });
    expect(finalized.status.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'in step with Git; connection erp: the certificate expires soon' }),
      expect.objectContaining({ type: 'CertificatesExpiring', status: 'True', reason: 'CertificateExpiresSoon', message: 'connection erp: the certificate expires soon' }),
    ]);
    expect(finalized.ready).toBe(true);
    expect(finalized.event.type).toBe('Warning');
  });

  it('finalize drops CertificatesExpiring once no certificate expires soon (absent is False)', () => {
    const delays = { waitingMs: 1, leaseHeldMs: 1 };
    const before = finalize({ environment: 'dev', outcome: { kind: 'Applied', applied: 0, drifted: [], warnings: ['connection erp: the certificate expires soon'] }, commit: 'c'.repeat(40) }, undefined, new Date('2026-12-02T10:00:00Z'), delays);
    const after = finalize({ environment: 'dev', outcome: { kind: 'Applied', applied: 1, drifted: [] }, commit: 'd'.repeat(40) }, before.status, new Date('2026-12-02T11:00:00Z'), delays);
    expect(after.status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=True']);
    expect(after.event.type).toBe('Normal');
  });
});
