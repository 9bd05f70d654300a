import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { startAuthorizationServer, type AuthorizationServer } from '../environment-server/support/authorization-server.ts';
import { startProtectedWarehouse, type ProtectedWarehouse } from '../environment-server/support/protected-warehouse.ts';
import { runtimeFor, warehouseCatalog } from '../environment-server/support/runtime-for.ts';
import { runCli } from '../helpers/cli.ts';

let dir: string;
let server: AuthorizationServer | undefined;
let api: ProtectedWarehouse | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intctl-certificate-flow-'));
});
afterAll(async () => {
  await api?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('start to finish: a certificate made by intctl connection certificate authenticates the connection', () => {
  it('the printed certificate is registered with the authorization server, and the environment signs private_key_jwt with the sealed key', async () => {
    await mkdir(join(dir, 'repo', 'connections'), { recursive: true });
    await writeFile(join(dir, 'repo', 'environments.yaml'), 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata: { name: prod }\nspec: { driver: embedded, path: prod.sqlite }\n');
    await writeFile(
      join(dir, 'repo', 'connections', 'erp.yaml'),
      'apiVersion: intctl.dev/v1alpha1\nkind: Connection\nmetadata: { name: erp }\nspec:\n  system: openapi\n  auth: { type: oauth2ClientCredentials, clientAuthentication: private_key_jwt, tokenUrl: "https://login.example.com/token" }\n  environments:\n    prod: { endpoint: "https://erp.example.com", clientId: erp-app, privateKey: { env: ERP_KEY } }\n',
    );
    expect((await runCli(['env', 'init', 'prod', '--repo', 'repo', '--state-dir', 'state'], dir)).code).toBe(0);
    const made = await runCli(['connection', 'certificate', 'erp', '--env', 'prod', '--repo', 'repo', '--state-dir', 'state', '-o', 'json'], dir);
    expect(made.code, made.stderr).toBe(0);
    const { certificate, privateKey } = JSON.parse(made.stdout) as { certificate: string; privateKey: { sealed: string } };

    // The administrator registers the certificate (its public key and x5c) with the client.
    const x509 = new X509Certificate(certificate);
    server = await startAuthorizationServer({
      clients: [
        {
          client_id: 'erp-app',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ ...x509.publicKey.export({ format: 'jwk' }), x5c: [x509.raw.toString('base64')] }] },
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          scope: 'warehouse',
        },
      ],
    });
    api = await startProtectedWarehouse({ guard: 'token', provider: server.provider });

    // The environment's runtime, with the environment's own key pair, opens the sealed key for the call.
    const driver = await openEmbeddedEnvironment(join(dir, 'state', 'prod.sqlite'), { name: 'prod', create: false });
    const keyPair = driver.keyPair();
    await driver.close();
    const connection = {
      name: 'erp',
      system: 'openapi',
      authType: 'oauth2ClientCredentials',
      parameters: { endpoint: api.url, tokenUrl: server.tokenUrl, clientId: 'erp-app', clientAuthentication: 'private_key_jwt', certificate, scopes: ['warehouse'] },
      secrets: { privateKey: { sealed: privateKey.sealed } },
      fingerprint: 'erp-fp',
    };
    const result = await runtimeFor(await warehouseCatalog(), connection, keyPair).invoke('warehouse', 'GetItem', { itemId: 'i7' });
    expect(result).toMatchObject({ ok: true, output: { id: 'i7' } });
    expect(server.issued.get('erp-app')).toBe(1);
  });
});
