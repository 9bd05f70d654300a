import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate } from '../../controller/secrets/issue-certificate.ts';
import { runCli } from '../helpers/cli.ts';
import { connectionManifest, environmentManifest, writeRepo } from '../environment-server/support/manifest-repo.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-key-canary-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out;
}

describe('canary: a private key and its password given in plain text (dev) are stored nowhere in the clear', () => {
  it('apply seals them before they leave the controller; the store, the outputs and get show neither', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const password = 'canary-key-password-0c1d2e';
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password }) as string;
    const certificate = issueCertificate({ commonName: 'intctl-runtime', publicKey, privateKey, notBefore: Date.now() - 60_000, days: 365 });
    const repo = join(work, 'repo');
    const state = join(work, 'state');
    await writeRepo(repo, {
      'environments.yaml': [environmentManifest('dev', { driver: 'embedded', policy: { autoApply: true, plainSecrets: true } })],
      'connections/erp.yaml': [
        connectionManifest('erp', {
          system: 'openapi',
          auth: { type: 'oauth2ClientCredentials', tokenUrl: 'https://login.example.com/token', clientAuthentication: 'private_key_jwt' },
          environments: { dev: { endpoint: 'https://erp.example.com/api', clientId: 'app', certificate, privateKey: { plain: keyPem }, keyPassword: { plain: password } } },
        }),
      ],
    });
    const outputs = [
      await runCli(['validate', '--repo', repo]),
      await runCli(['plan', '--repo', repo, '--env', 'dev', '--state-dir', state, '-o', 'json']),
      await runCli(['apply', '--repo', repo, '--env', 'dev', '--state-dir', state]),
      await runCli(['get', 'connections', '--repo', repo, '--env', 'dev', '--state-dir', state, '-o', 'json']),
    ];
    expect(outputs.map((o) => o.code)).toEqual([0, 2, 0, 0]);
    expect(outputs[3]!.stdout).toContain('erp');

    const keyLines = keyPem.split('\n').filter((line) => line.length >= 40);
    const canaries = [password, ...keyLines];
    const printed = outputs.map((o) => o.stdout + o.stderr).join('\n');
    const stored = (await Promise.all((await filesUnder(state)).map((f) => readFile(f)))).map((b) => b.toString('latin1')).join('\n');
    expect(stored.length).toBeGreaterThan(0);
    for (const canary of canaries) {
      expect(printed.includes(canary), 'printed').toBe(false);
      expect(stored.includes(canary), 'stored').toBe(false);
    }
  });
});
