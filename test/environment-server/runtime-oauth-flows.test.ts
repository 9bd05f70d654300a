import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';
import { thumbprints } from '../../controller/secrets/client-key.ts';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { selfSignedIdentity, type TestIdentity } from '../support/test-pki.ts';
import { JWT_BEARER, startAuthorizationServer, type AuthorizationServer } from './support/authorization-server.ts';
import { startProtectedWarehouse, type ProtectedWarehouse } from './support/protected-warehouse.ts';
import { runtimeFor, warehouseCatalog, type RuntimeOptions } from './support/runtime-for.ts';

const keyPair = generateKeyPair();
const SECRET = { basic: 'canary-basic-secret-5f0e1d', post: 'canary-post-secret-9a7b3c' };
const SUBJECT = 'integration-bot@example.com';

let catalog: ActionCatalog;
let server: AuthorizationServer;
let api: ProtectedWarehouse;
let signer: TestIdentity;
let bearer: TestIdentity;
let other: TestIdentity;
/** An EC P-256 key without a certificate: private_key_jwt signs ES256. */
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
/** Every body sent to the token endpoint, to read the assertions back. */
const sent: string[] = [];
const log: string[] = [];
const outputs: string[] = [];

const recording: typeof fetch = async (input, init) => {
  if (typeof init?.body === 'string') sent.push(init.body);
  else if (init?.body instanceof URLSearchParams) sent.push(init.body.toString());
  return fetch(input, init);
};

const sealed = (value: string) => ({ sealed: sealSecret(keyPair.publicKey, value) });

function connection(name: string, authType: string, parameters: Record<string, unknown>, secrets: Record<string, string>): ConnectionRecord {
  return {
    name,
    system: 'openapi',
    authType,
    parameters: { endpoint: api.url, scopes: ['warehouse'], ...parameters },
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, sealed(v)])),
    fingerprint: `${name}-fp`,
  };
}

async function call(record: ConnectionRecord, options: RuntimeOptions = {}, itemId = 'i1') {
  const result = await runtimeFor(catalog, record, keyPair, { fetch: recording, log, ...options }).invoke('warehouse', 'GetItem', { itemId });
  outputs.push(JSON.stringify(result));
  return result;
}

const jwk = (identity: TestIdentity) => ({ ...createPublicKey(identity.key).export({ format: 'jwk' }), x5c: [identity.certificate.raw.toString('base64')] });

beforeAll(async () => {
  catalog = await warehouseCatalog();
  signer = selfSignedIdentity('intctl-runtime');
  bearer = selfSignedIdentity('integration-bot');
  other = selfSignedIdentity('someone-else');
  const base = { grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'warehouse' };
  server = await startAuthorizationServer({
    clients: [
      { ...base, client_id: 'basic-client', client_secret: SECRET.basic, token_endpoint_auth_method: 'client_secret_basic' },
      { ...base, client_id: 'post-client', client_secret: SECRET.post, token_endpoint_auth_method: 'client_secret_post' },
      { ...base, client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk(signer)] } },
      { ...base, client_id: 'ec-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecKey.publicKey.export({ format: 'jwk' })] } },
      { ...base, grant_types: [JWT_BEARER], client_id: 'bearer-client', token_endpoint_auth_method: 'none' },
    ],
    bearer: [{ clientId: 'bearer-client', publicKey: createPublicKey(bearer.key), subjects: [SUBJECT] }],
  });
  api = await startProtectedWarehouse({ guard: 'token', provider: server.provider });
});
afterAll(async () => {
  await api?.close();
  await server?.close();
});

describe('runtime against oidc-provider: every flow gets a token, and the protected call succeeds', () => {
  it.each([
    ['client_secret_basic', () => connection('basic', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'basic-client' }, { clientSecret: SECRET.basic }), 'basic-client'],
    ['client_secret_post', () => connection('post', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'post-client', clientAuthentication: 'client_secret_post' }, { clientSecret: SECRET.post }), 'post-client'],
    ['private_key_jwt', () => connection('jwt', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'jwt-client', clientAuthentication: 'private_key_jwt', certificate: signer.certificatePem }, { privateKey: signer.keyPem }), 'jwt-client'],
    ['private_key_jwt, token endpoint from the issuer metadata', () => connection('jwt-discovered', 'oauth2ClientCredentials', { issuer: server.issuer, clientId: 'jwt-client', clientAuthentication: 'private_key_jwt', certificate: signer.certificatePem }, { privateKey: signer.keyPem }), 'jwt-client'],
    ['private_key_jwt with an EC P-256 key (ES256)', () => connection('ec', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'ec-client', clientAuthentication: 'private_key_jwt' }, { privateKey: ecKey.privateKey.export({ type: 'sec1', format: 'pem' }) as string }), 'ec-client'],
    ['JWT bearer grant (RFC 7523)', () => connection('bearer', 'oauth2JwtBearer', { tokenUrl: server.tokenUrl, clientId: 'bearer-client', subject: SUBJECT, certificate: bearer.certificatePem }, { privateKey: bearer.keyPem }), 'bearer-client'],
  ])('%s', async (_name, record, clientId) => {
    const before = server.issued.get(clientId) ?? 0;
    const served = api.served;
    const result = await call(record());
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, output: { id: 'i1', name: 'bolt' } });
    expect(server.issued.get(clientId)).toBe(before + 1);
    expect(api.served).toBe(served + 1);
  });

  it.each([
    ['tokenUrl', () => ({ tokenUrl: server.tokenUrl })],
    ['issuer', () => ({ issuer: server.issuer })],
  ])('signs private_key_jwt assertions for the token endpoint (given as %s) with x5t and x5t#S256 of the certificate, as Entra ID expects', async (_given, where) => {
    sent.length = 0;
    await call(connection('jwt-header', 'oauth2ClientCredentials', { ...where(), clientId: 'jwt-client', clientAuthentication: 'private_key_jwt', certificate: signer.certificatePem }, { privateKey: signer.keyPem }));
    const assertion = sent.map((body) => new URLSearchParams(body).get('client_assertion')).find((a) => a !== null)!;
    const { x5t, x5tS256 } = thumbprints(signer.certificate);
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'RS256', x5t, 'x5t#S256': x5tS256 });
    expect(decodeJwt(assertion)).toMatchObject({ iss: 'jwt-client', sub: 'jwt-client', aud: server.tokenUrl });
  });

  it('signs the JWT bearer assertion for the subject, issued by the client, with the certificate thumbprints', async () => {
    sent.length = 0;
    await call(connection('bearer-claims', 'oauth2JwtBearer', { tokenUrl: server.tokenUrl, clientId: 'bearer-client', subject: SUBJECT, certificate: bearer.certificatePem }, { privateKey: bearer.keyPem }));
    const assertion = new URLSearchParams(sent.at(-1)).get('assertion')!;
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: 'bearer-client', sub: SUBJECT, aud: server.tokenUrl });
    expect(claims.exp! - claims.iat!).toBe(120);
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'RS256', 'x5t#S256': thumbprints(bearer.certificate).x5tS256 });
  });

  it('asks the token endpoint once for 100 calls made at once, and reuses the token after', async () => {
    const record = connection('concurrent', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'post-client', clientAuthentication: 'client_secret_post' }, { clientSecret: SECRET.post });
    const runtime = runtimeFor(catalog, record, keyPair, { log });
    const before = server.issued.get('post-client') ?? 0;
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => runtime.invoke('warehouse', 'GetItem', { itemId: `i${i}` })));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    await runtime.invoke('warehouse', 'GetItem', { itemId: 'again' });
    expect(server.issued.get('post-client')).toBe(before + 1);
  });
});

describe('runtime against oidc-provider: refusals are clear, name the connection, and carry nothing secret', () => {
  const refused = (code: string, connectionName: string) => ({
    ok: false,
    status: 502,
    body: { reason: 'AuthenticationFailed', message: expect.stringContaining(`connection ${connectionName}: the token endpoint ${server.tokenUrl} refused client`), upstream: { status: expect.any(Number), code } },
  });

  it('a wrong key (private_key_jwt signed with a key the client did not register)', async () => {
    const result = await call(connection('wrong-key', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'jwt-client', clientAuthentication: 'private_key_jwt' }, { privateKey: other.keyPem }));
    expect(result).toMatchObject(refused('invalid_client', 'wrong-key'));
  });

  it('a wrong secret', async () => {
    const result = await call(connection('wrong-secret', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'basic-client' }, { clientSecret: 'canary-wrong-secret-77aa' }));
    expect(result).toMatchObject(refused('invalid_client', 'wrong-secret'));
  });

  it('a wrong audience (JWT bearer assertion for another server)', async () => {
    const result = await call(connection('wrong-audience', 'oauth2JwtBearer', { tokenUrl: server.tokenUrl, clientId: 'bearer-client', subject: SUBJECT, audience: 'https://login.elsewhere.example.com' }, { privateKey: bearer.keyPem }));
    expect(result).toMatchObject(refused('invalid_grant', 'wrong-audience'));
    expect(server.refused.at(-1)).toBe('invalid_grant');
  });

  it.each([
    ['JWT bearer', 'invalid_grant', () => connection('expired-bearer', 'oauth2JwtBearer', { tokenUrl: server.tokenUrl, clientId: 'bearer-client', subject: SUBJECT }, { privateKey: bearer.keyPem })],
    ['private_key_jwt', 'invalid_client', () => connection('expired-jwt', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'jwt-client', clientAuthentication: 'private_key_jwt' }, { privateKey: signer.keyPem })],
  ])('an expired assertion (%s, signed by a clock ten minutes behind)', async (_name, code, record) => {
    const result = await call(record(), { now: () => Date.now() - 10 * 60_000 });
    expect(result).toMatchObject(refused(code, record().name));
  });

  it('an unknown (revoked) client', async () => {
    const result = await call(connection('revoked', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'revoked-client' }, { clientSecret: 'canary-revoked-secret-3c3c' }));
    expect(result).toMatchObject(refused('invalid_client', 'revoked'));
  });

  it('a subject the client may not speak for', async () => {
    const result = await call(connection('wrong-subject', 'oauth2JwtBearer', { tokenUrl: server.tokenUrl, clientId: 'bearer-client', subject: 'admin@example.com' }, { privateKey: bearer.keyPem }));
    expect(result).toMatchObject(refused('invalid_grant', 'wrong-subject'));
  });

  it('a token endpoint over plain http (not loopback) is refused before any request', async () => {
    sent.length = 0;
    const result = await call(connection('plain-http', 'oauth2ClientCredentials', { tokenUrl: 'http://login.example.com/token', clientId: 'basic-client' }, { clientSecret: SECRET.basic }));
    expect(result).toMatchObject({ ok: false, status: 500, body: { reason: 'ConnectionInvalid', message: 'connection plain-http: the token endpoint http://login.example.com/token must be https (plain http is allowed to a loopback address only)' } });
    expect(sent).toEqual([]);
  });

  it('a key that does not match its certificate is refused before any request', async () => {
    sent.length = 0;
    const result = await call(connection('mismatch', 'oauth2ClientCredentials', { tokenUrl: server.tokenUrl, clientId: 'jwt-client', clientAuthentication: 'private_key_jwt', certificate: signer.certificatePem }, { privateKey: other.keyPem }));
    expect(result).toMatchObject({ ok: false, status: 500, body: { reason: 'ConnectionInvalid', message: 'connection mismatch: privateKey does not match its certificate (CN=intctl-runtime)' } });
    expect(sent).toEqual([]);
  });

  it('canary: no secret, key or assertion appears in an output, error body or log line, or reaches the system', () => {
    const assertions = sent.flatMap((body) => [new URLSearchParams(body).get('client_assertion'), new URLSearchParams(body).get('assertion')]).filter((a): a is string => a !== null);
    const keyBody = (pem: string) => pem.split('\n').filter((l) => l.length > 40)[1]!;
    const canaries = [SECRET.basic, SECRET.post, 'canary-wrong-secret-77aa', 'canary-revoked-secret-3c3c', keyBody(signer.keyPem), keyBody(bearer.keyPem), keyBody(other.keyPem), ...assertions];
    expect(outputs.length).toBeGreaterThan(10);
    expect(log.length).toBeGreaterThan(10);
    const surfaces = [...outputs, ...log, ...api.seen];
    for (const canary of canaries) expect(surfaces.filter((s) => s.includes(canary))).toEqual([]);
  });
});
