import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';
import Provider, { errors, type ClientMetadata } from 'oidc-provider';
import type { TestPki } from '../../support/test-pki.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface AuthorizationServer {
  issuer: string;
  tokenUrl: string;
  provider: Provider;
  /** Tokens the server issued, per client, counted by the server's own grant.success event. */
  issued: Map<string, number>;
  /** Refusals at the token endpoint, per error code (grant.error). */
  refused: string[];
  close(): Promise<void>;
}

export interface BearerSubject {
  clientId: string;
  /** The public key assertions of this client are checked with. */
  publicKey: KeyObject;
  subjects: string[];
}

/**
 * oidc-provider (the OpenID Foundation-certified server by panva) on a loopback port, for the
 * client credentials grant with every client authentication method it offers. `https` serves it
 * over TLS with the test PKI, asking for client certificates (tls_client_auth, certificate-bound
 * tokens). The JWT bearer grant (RFC 7523), which oidc-provider leaves to its users, is
 * registered through its grant type extension: the assertion is verified with jose against the
 * client's public key, its audience must be the token endpoint, and its subject one the client
 * may speak for.
 */
export async function startAuthorizationServer(options: { clients: ClientMetadata[]; bearer?: BearerSubject[]; pki?: TestPki }): Promise<AuthorizationServer> {
  const server: Server = options.pki
    ? createHttpsServer({ key: options.pki.server.keyPem, cert: options.pki.server.certificatePem, ca: options.pki.ca.certificatePem, requestCert: true, rejectUnauthorized: false })
    : createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `${options.pki ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: options.clients,
    jwks: { keys: [{ ...signing, kid: 'test', use: 'sig', alg: 'RS256' }] },
    scopes: ['warehouse'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none', ...(options.pki ? (['tls_client_auth', 'self_signed_tls_client_auth'] as const) : [])],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      mTLS: {
        enabled: options.pki !== undefined,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        certificateBoundAccessTokens: true,
        getCertificate: (ctx) => (ctx.socket as TLSSocket).getPeerX509Certificate?.(),
        certificateAuthorized: (ctx) => (ctx.socket as TLSSocket).authorized,
        certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn' && (ctx.socket as TLSSocket).getPeerX509Certificate?.()?.subject === expected,
      },
    },
  });
  const issued = new Map<string, number>();
  const refused: string[] = [];
  provider.on('grant.success', (ctx) => {
    const id = ctx.oidc.client?.clientId ?? '?';
    issued.set(id, (issued.get(id) ?? 0) + 1);
  });
  provider.on('grant.error', (_ctx, error: { error?: string }) => refused.push(error.error ?? 'unknown'));

  const tokenUrl = `${issuer}/token`;
  const bearer = new Map((options.bearer ?? []).map((b) => [b.clientId, b]));
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const client = ctx.oidc.client!;
      const known = bearer.get(client.clientId);
      if (!known) throw new errors.UnauthorizedClient('the client may not use the JWT bearer grant');
      let subject: string | undefined;
      try {
        const { payload } = await jwtVerify(String(ctx.oidc.params!.assertion), known.publicKey, { issuer: client.clientId, audience: tokenUrl });
        subject = payload.sub;
      } catch (error) {
        throw new errors.InvalidGrant(`the assertion is not valid (${(error as { code?: string }).code ?? 'invalid'})`);
      }
      if (subject === undefined || !known.subjects.includes(subject)) throw new errors.InvalidGrant('the assertion speaks for a subject this client may not');
      const token = new provider.ClientCredentials({ client, scope: 'warehouse' });
      const value = await token.save();
      ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, scope: 'warehouse' };
    },
    ['assertion', 'scope'],
  );
  server.on('request', provider.callback());
  return {
    issuer,
    tokenUrl,
    provider,
    issued,
    refused,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
