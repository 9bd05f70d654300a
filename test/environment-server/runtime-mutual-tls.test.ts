import forge from 'node-forge';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { makeTestPki, type TestIdentity, type TestPki } from '../support/test-pki.ts';
import { startAuthorizationServer, type AuthorizationServer } from './support/authorization-server.ts';
import { startProtectedWarehouse, type ProtectedWarehouse } from './support/protected-warehouse.ts';
import { runtimeFor, warehouseCatalog } from './support/runtime-for.ts';

const keyPair = generateKeyPair();
let pki: TestPki;
let catalog: ActionCatalog;
const outputs: string[] = [];
const log: string[] = [];

function record(name: string, authType: string, endpoint: string, parameters: Record<string, unknown>, secrets: Record<string, string>): ConnectionRecord {
  return {
    name,
    system: 'openapi',
    authType,
    parameters: { endpoint, ...parameters },
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, { sealed: sealSecret(keyPair.publicKey, v) }])),
    fingerprint: `${name}-fp`,
  };
}

async function call(connection: ConnectionRecord) {
  const result = await runtimeFor(catalog, connection, keyPair, { log }).invoke('warehouse', 'GetItem', { itemId: 'i1' });
  outputs.push(JSON.stringify(result));
  return result;
}

/** The identity as a PKCS#12 file in base64, protected by a password, as Windows and Azure export one. */
function pkcs12(identity: TestIdentity, password: string): string {
  const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(identity.key.export({ type: 'pkcs1', format: 'pem' }) as string), [forge.pki.certificateFromPem(identity.certificatePem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary').toString('base64');
}

beforeAll(async () => {
  pki = makeTestPki();
  catalog = await warehouseCatalog();
});

describe('runtime: clientCertificate against a node:https server that requires and verifies client certificates', () => {
  let api: ProtectedWarehouse;
  beforeAll(async () => {
    api = await startProtectedWarehouse({ guard: 'certificate', pki });
  });
  afterAll(async () => api?.close());

  it('succeeds with the certificate the server trusts (PEM key and certificate)', async () => {
    const result = await call(record('mtls', 'clientCertificate', api.url, { certificate: pki.client.certificatePem, caBundle: pki.ca.certificatePem }, { privateKey: pki.client.keyPem }));
    expect(result).toMatchObject({ ok: true, output: { id: 'i1' } });
    expect(api.seen).toContain('CN=intctl-runtime');
  });

  it('succeeds with the same identity as a password-protected PKCS#12 file', async () => {
    const result = await call(record('mtls-p12', 'clientCertificate', api.url, { caBundle: pki.ca.certificatePem }, { privateKey: pkcs12(pki.client, 'canary-p12-password-1f'), keyPassword: 'canary-p12-password-1f' }));
    expect(result).toMatchObject({ ok: true, output: { id: 'i1' } });
  });

  it('says the PKCS#12 password is wrong, without the password', async () => {
    const result = await call(record('mtls-p12-wrong', 'clientCertificate', api.url, { caBundle: pki.ca.certificatePem }, { privateKey: pkcs12(pki.client, 'canary-p12-password-1f'), keyPassword: 'canary-not-it-22' }));
    expect(result).toMatchObject({ ok: false, status: 500, body: { reason: 'ConnectionInvalid', message: 'connection mtls-p12-wrong: privateKey cannot be read as PKCS#12 (keyPassword does not open it)' } });
  });

  it.each([
    ['no certificate', () => record('no-cert', 'none', api.url, { caBundle: pki.ca.certificatePem }, {})],
    ['a certificate the server did not issue', () => record('stranger', 'clientCertificate', api.url, { certificate: pki.stranger.certificatePem, caBundle: pki.ca.certificatePem }, { privateKey: pki.stranger.keyPem })],
  ])('fails clearly with %s', async (_name, connection) => {
    const served = api.served;
    const result = await call(connection());
    expect(result).toMatchObject({ ok: false, status: 502, body: { reason: 'UpstreamUnreachable', message: expect.stringMatching(new RegExp(`^${api.url} (refused the TLS handshake|closed the connection) \\(\\w+\\)[:;] .*check the connection's certificate, privateKey and caBundle$`)) } });
    expect(api.served).toBe(served);
  });

  it('fails clearly when the server is not trusted (no caBundle naming its authority)', async () => {
    const result = await call(record('untrusted', 'clientCertificate', api.url, { certificate: pki.client.certificatePem }, { privateKey: pki.client.keyPem }));
    expect(result).toMatchObject({ ok: false, status: 502, body: { reason: 'UpstreamUnreachable', message: expect.stringMatching(new RegExp(`^${api.url} refused the TLS handshake \\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\\)`)) } });
  });
});

describe('runtime: tls_client_auth at oidc-provider over mutual TLS, and a token bound to the certificate', () => {
  let server: AuthorizationServer;
  let api: ProtectedWarehouse;
  beforeAll(async () => {
    server = await startAuthorizationServer({
      pki,
      clients: [
        {
          client_id: 'tls-client',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: 'CN=intctl-runtime',
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: 'warehouse',
        },
        {
          client_id: 'self-signed-client',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [{ ...pki.stranger.certificate.publicKey.export({ format: 'jwk' }), x5c: [pki.stranger.certificate.raw.toString('base64')] }] },
          tls_client_certificate_bound_access_tokens: true,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: 'warehouse',
        },
      ],
    });
    api = await startProtectedWarehouse({ guard: 'token', provider: server.provider, pki });
  });
  afterAll(async () => {
    await api?.close();
    await server?.close();
  });

  const tlsClient = (identity: TestIdentity) =>
    record('tls-auth', 'oauth2ClientCredentials', api.url, { issuer: server.issuer, clientId: 'tls-client', clientAuthentication: 'tls_client_auth', scopes: ['warehouse'], certificate: identity.certificatePem, caBundle: pki.ca.certificatePem }, { privateKey: identity.keyPem });

  it('gets a token with the certificate (issuer metadata read over TLS with the caBundle), and the call presents it too', async () => {
    const result = await call(tlsClient(pki.client));
    expect(result).toMatchObject({ ok: true, output: { id: 'i1' } });
    expect(server.issued.get('tls-client')).toBe(1);

    // The token is bound: the system refuses it from a client with another certificate.
    const token = api.seen.find((s) => s.startsWith('Bearer '))!;
    const other = new Agent({ connect: { key: pki.stranger.keyPem, cert: pki.stranger.certificatePem, ca: pki.ca.certificatePem } });
    const replayed = await undiciFetch(`${api.url}/items/i1`, { headers: { authorization: token }, dispatcher: other });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ code: 'InvalidToken', message: 'the access token is bound to another certificate' });
    await other.close();
  });

  it('self_signed_tls_client_auth: a self-signed certificate registered with the client gets a token, and the call succeeds', async () => {
    const connection = record('self-signed', 'oauth2ClientCredentials', api.url, { issuer: server.issuer, clientId: 'self-signed-client', clientAuthentication: 'self_signed_tls_client_auth', scopes: ['warehouse'], certificate: pki.stranger.certificatePem, caBundle: pki.ca.certificatePem }, { privateKey: pki.stranger.keyPem });
    expect(await call(connection)).toMatchObject({ ok: true, output: { id: 'i1' } });
    expect(server.issued.get('self-signed-client')).toBe(1);
  });

  it('self_signed_tls_client_auth is refused with another certificate than the one registered', async () => {
    const connection = record('self-signed-other', 'oauth2ClientCredentials', api.url, { issuer: server.issuer, clientId: 'self-signed-client', clientAuthentication: 'self_signed_tls_client_auth', scopes: ['warehouse'], certificate: pki.client.certificatePem, caBundle: pki.ca.certificatePem }, { privateKey: pki.client.keyPem });
    expect(await call(connection)).toMatchObject({ ok: false, status: 502, body: { reason: 'AuthenticationFailed', upstream: { code: 'invalid_client' } } });
  });

  it('is refused at the token endpoint with a certificate its authority did not issue', async () => {
    const result = await call(tlsClient(pki.stranger));
    expect(result).toMatchObject({ ok: false, status: 502, body: { reason: 'AuthenticationFailed', upstream: { code: 'invalid_client' }, message: expect.stringMatching(/^connection tls-auth: the token endpoint https:\/\/127\.0\.0\.1:\d+\/token refused client tls-client: invalid_client/) } });
  });

  it('canary: no key or password appears in an output or log line', () => {
    const keyLines = [pki.client.keyPem, pki.stranger.keyPem].map((pem) => pem.split('\n')[2]!);
    for (const canary of [...keyLines, 'canary-p12-password-1f', 'canary-not-it-22']) {
      expect([...outputs, ...log].filter((s) => s.includes(canary))).toEqual([]);
    }
  });
});
