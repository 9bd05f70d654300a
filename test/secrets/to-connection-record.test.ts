import { describe, expect, it } from 'vitest';
import type { Connection } from '../../controller/generated/manifests.ts';
import { connectionFingerprint, generateFingerprintKey } from '../../controller/secrets/connection-fingerprint.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { openSealed } from '../../controller/secrets/open-sealed.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { toConnectionRecord } from '../../controller/secrets/to-connection-record.ts';

const keys = generateKeyPair();
const fingerprintKey = generateFingerprintKey();

function manifest(spec: Connection['spec'], name = 'conn'): Connection {
  return { apiVersion: 'intctl.dev/v1alpha1', kind: 'Connection', metadata: { name }, spec };
}

const sapS4 = manifest(
  {
    system: 'odata',
    auth: { type: 'basic' },
    environments: {
      dev: {
        endpoint: 'https://s4-dev.example.com/odata',
        username: 'INTEGRATION_DEV',
        password: { plain: 'dev-only-password' },
        parameters: { 'sap-client': '200' },
      },
      test: { endpoint: 'https://s4-qas.example.com/odata', username: 'INTEGRATION_QAS', password: { env: 'SAP_S4_TEST_PASSWORD' } },
      prod: { endpoint: 'https://s4.example.com/odata', username: 'INTEGRATION', password: { file: '/run/secrets/sap/password' } },
    },
  },
  'sap-s4',
);

const dataverse = manifest(
  {
    system: 'odata',
    auth: { type: 'oauth2ClientCredentials', tokenUrl: 'https://login.example.com/token', scopes: ['shared/.default'], audience: 'shared' },
    environments: {
      dev: { endpoint: 'https://dev.example.com/api', clientId: 'dev-client', clientSecret: { env: 'DV_SECRET' }, scopes: ['https://dev.example.com/.default'] },
      test: { endpoint: 'https://test.example.com/api', clientId: 'test-client', clientSecret: { env: 'DV_SECRET' }, tokenUrl: 'https://login.example.com/test/token', audience: 'test' },
    },
  },
  'dataverse',
);

const crm = manifest(
  {
    system: 'openapi',
    auth: { type: 'apiKey', apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
    environments: { prod: { endpoint: 'https://api.crm.example.com', apiKey: { sealed: sealSecret(keys.publicKey, 'prod-key') } } },
  },
  'crm',
);

describe('toConnectionRecord', () => {
  it.each([
    ['references a variable', sapS4, 'test', { endpoint: 'https://s4-qas.example.com/odata', username: 'INTEGRATION_QAS' }, { password: { env: 'SAP_S4_TEST_PASSWORD' } }],
    ['references a file', sapS4, 'prod', { endpoint: 'https://s4.example.com/odata', username: 'INTEGRATION' }, { password: { file: '/run/secrets/sap/password' } }],
    [
      'keeps a sealed value as committed, with the auth fields',
      crm,
      'prod',
      { endpoint: 'https://api.crm.example.com', apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
      { apiKey: { sealed: crm.spec.environments.prod!.apiKey!.sealed } },
    ],
    [
      "takes this environment's scopes in place of the shared ones",
      dataverse,
      'dev',
      { endpoint: 'https://dev.example.com/api', clientId: 'dev-client', tokenUrl: 'https://login.example.com/token', scopes: ['https://dev.example.com/.default'], audience: 'shared' },
      { clientSecret: { env: 'DV_SECRET' } },
    ],
    [
      "takes this environment's token URL and audience in place of the shared ones",
      dataverse,
      'test',
      { endpoint: 'https://test.example.com/api', clientId: 'test-client', tokenUrl: 'https://login.example.com/test/token', scopes: ['shared/.default'], audience: 'test' },
      { clientSecret: { env: 'DV_SECRET' } },
    ],
  ])('%s', (_title, connection, environment, parameters, secrets) => {
    const result = toConnectionRecord(connection, environment, keys.publicKey, fingerprintKey);
    expect(result).toEqual({
      ok: true,
      record: {
        name: connection.metadata.name,
        system: connection.spec.system,
        authType: connection.spec.auth.type,
        parameters,
        secrets,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
  });

  it("seals a plain value to the environment's key before it leaves the controller", () => {
    const result = toConnectionRecord(sapS4, 'dev', keys.publicKey, fingerprintKey);
    if (!result.ok) throw new Error(result.message);
    expect(result.record.parameters).toEqual({ endpoint: 'https://s4-dev.example.com/odata', username: 'INTEGRATION_DEV', parameters: { 'sap-client': '200' } });
    expect(JSON.stringify(result.record)).not.toContain('dev-only-password');
    const sealed = result.record.secrets.password as { sealed: string };
    expect(Object.keys(result.record.secrets.password!)).toEqual(['sealed']);
    expect(openSealed(keys, sealed.sealed)).toEqual({ ok: true, value: 'dev-only-password' });
  });

  it('gives the same fingerprint when built again, though the sealed value differs', () => {
    const a = toConnectionRecord(sapS4, 'dev', keys.publicKey, fingerprintKey);
    const b = toConnectionRecord(sapS4, 'dev', keys.publicKey, fingerprintKey);
    if (!a.ok || !b.ok) throw new Error('could not build');
    expect(a.record.secrets).not.toEqual(b.record.secrets);
    expect(a.record.fingerprint).toBe(b.record.fingerprint);
  });

  it('fingerprints the plain value itself, so a changed plain secret is a change', () => {
    const a = toConnectionRecord(sapS4, 'dev', keys.publicKey, fingerprintKey);
    const changed = structuredClone(sapS4);
    changed.spec.environments.dev!.password = { plain: 'dev-only-password-2' };
    const b = toConnectionRecord(changed, 'dev', keys.publicKey, fingerprintKey);
    if (!a.ok || !b.ok) throw new Error('could not build');
    expect(b.record.fingerprint).not.toBe(a.record.fingerprint);
    const { secrets: _s, fingerprint: _f, ...rest } = a.record;
    expect(a.record.fingerprint).toBe(connectionFingerprint(fingerprintKey, rest, { password: { plain: 'dev-only-password' } }));
  });

  it.each([
    ['an environment the connection does not define', sapS4, 'staging', keys.publicKey, 'ConnectionNotDefined'],
    ['a public key that is not one', sapS4, 'dev', 'bm90IGEga2V5', 'InvalidKey'],
    [
      'a secret given two ways',
      manifest({ system: 'odata', auth: { type: 'basic' }, environments: { dev: { endpoint: 'https://x.example.com', username: 'u', password: { plain: 'dev-only-password', env: 'P' } } } }),
      'dev',
      keys.publicKey,
      'InvalidSecretValue',
    ],
  ])('refuses %s, as a value that names no secret', (_title, connection, environment, publicKey, reason) => {
    const result = toConnectionRecord(connection, environment, publicKey, fingerprintKey);
    expect(result).toMatchObject({ ok: false, reason });
    expect(JSON.stringify(result)).not.toContain('dev-only-password');
  });
});
