import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import * as oauth from 'openid-client';
import type { ClientAuthentication } from '../core/systems.ts';
import { printable } from '../core/printable.ts';
import { signingAlgorithm, thumbprints, type ClientKey } from '../secrets/client-key.ts';
import { actionFailure, type ActionFailure } from './action-failure.ts';

/** What one OAuth 2.0 token request needs: where, as which client, how it authenticates, and the grant. */
export interface OAuthTokenRequest {
  connection: string;
  /** The token endpoint; when absent, it is read from the issuer's metadata. */
  tokenUrl?: string;
  issuer?: string;
  clientId: string;
  clientAuthentication: ClientAuthentication;
  clientSecret?: string;
  /** The connection's key and certificates: they sign assertions (private_key_jwt, the JWT bearer grant). */
  key?: ClientKey;
  grant: { type: 'clientCredentials'; scopes: string[]; audience?: string } | { type: 'jwtBearer'; scopes: string[]; subject?: string; audience?: string };
  /** The transport: the connection's mutual TLS one for tls_client_auth. */
  fetch: typeof fetch;
  timeoutMs: number;
  /** Assertions are dated by this clock (ms since the epoch). */
  now: () => number;
}

export interface FetchedToken {
  accessToken: string;
  tokenType?: string;
  expiresInSeconds?: number;
}

/** A token request that failed: the failure to answer, naming the connection and nothing secret. */
export class TokenError extends Error {
  constructor(readonly failure: ActionFailure) {
    super(failure.body.message);
  }
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Assertions live this long: long enough for a slow token endpoint, short enough to be useless if seen. */
const ASSERTION_SECONDS = 120;

/**
 * Gets an access token with openid-client: the client credentials grant, or the JWT bearer grant
 * of RFC 7523 (an assertion for `subject`, issued by the client, for `audience` or the token
 * endpoint, signed with the connection's key); the client authenticates with
 * client_secret_basic, client_secret_post, private_key_jwt (signed with the same key, its
 * audience the token endpoint, with `x5t` and `x5t#S256` of the certificate in the header as
 * Entra ID requires), tls_client_auth and self_signed_tls_client_auth (the certificate over
 * mutual TLS, through `fetch`), or none. The token endpoint comes from `tokenUrl`, else from
 * the issuer's metadata. Plain http is allowed to loopback addresses only. Throws a TokenError
 * whose message names the connection, the endpoint and the server's `error` and
 * `error_description`, never an assertion or a secret.
 */
export async function requestOAuthToken(request: OAuthTokenRequest): Promise<FetchedToken> {
  const where = request.tokenUrl ?? request.issuer ?? '';
  const fail = (reason: 'AuthenticationFailed' | 'ConnectionInvalid', message: string): TokenError => new TokenError(actionFailure(reason, `connection ${request.connection}: ${message}`));
  // The audience of a client assertion is the token endpoint (Entra ID requires it), known once the metadata is read.
  const audience = { tokenEndpoint: request.tokenUrl };
  const clientAuth = await clientAuthOf(request, audience, fail);
  const metadata = request.clientAuthentication.endsWith('tls_client_auth') ? { use_mtls_endpoint_aliases: true } : {};
  const customFetch: oauth.CustomFetch = (url, options) => request.fetch(url, options as RequestInit);
  const insecure = isLoopbackHttp(where);
  if (!insecure && !where.startsWith('https://')) {
    throw fail('ConnectionInvalid', `the token endpoint ${origin(where)} must be https (plain http is allowed to a loopback address only)`);
  }
  let config: oauth.Configuration;
  try {
    if (request.tokenUrl !== undefined) {
      config = new oauth.Configuration({ issuer: request.issuer ?? request.tokenUrl, token_endpoint: request.tokenUrl }, request.clientId, metadata, clientAuth);
    } else {
      config = await oauth.discovery(new URL(request.issuer!), request.clientId, metadata, clientAuth, {
        [oauth.customFetch]: customFetch,
        timeout: request.timeoutMs / 1000,
        ...(insecure ? { execute: [oauth.allowInsecureRequests] } : {}),
      });
    }
    config[oauth.customFetch] = customFetch;
    config.timeout = request.timeoutMs / 1000;
    if (insecure) oauth.allowInsecureRequests(config);
  } catch (error) {
    throw new TokenError(tokenFailure(error, request, `the metadata of issuer ${origin(where)} cannot be read`));
  }
  const tokenEndpoint = config.serverMetadata().token_endpoint ?? where;
  audience.tokenEndpoint = tokenEndpoint;
  const scope: Record<string, string> = request.grant.scopes.length > 0 ? { scope: request.grant.scopes.join(' ') } : {};
  try {
    const response =
      request.grant.type === 'clientCredentials'
        ? await oauth.clientCredentialsGrant(config, { ...scope, ...(request.grant.audience !== undefined ? { audience: request.grant.audience } : {}) })
        : await oauth.genericGrantRequest(config, JWT_BEARER, { ...scope, assertion: await bearerAssertion(request, tokenEndpoint, fail) });
    return {
      accessToken: response.access_token,
      ...(response.token_type ? { tokenType: response.token_type } : {}),
      ...(typeof response.expires_in === 'number' ? { expiresInSeconds: response.expires_in } : {}),
    };
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError(tokenFailure(error, request, `the token endpoint ${origin(tokenEndpoint)} refused client ${request.clientId}`));
  }
}

async function clientAuthOf(request: OAuthTokenRequest, audience: { tokenEndpoint?: string | undefined }, fail: (reason: 'ConnectionInvalid', message: string) => TokenError): Promise<oauth.ClientAuth> {
  switch (request.clientAuthentication) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (request.clientSecret === undefined) throw fail('ConnectionInvalid', `${request.clientAuthentication} needs a clientSecret`);
      return request.clientAuthentication === 'client_secret_basic' ? oauth.ClientSecretBasic(request.clientSecret) : oauth.ClientSecretPost(request.clientSecret);
    case 'private_key_jwt': {
      const { key, alg } = signingKey(request, fail);
      const cryptoKey = await importPKCS8(key.key.export({ type: 'pkcs8', format: 'pem' }) as string, alg);
      const headers = certificateHeaders(key);
      return oauth.PrivateKeyJwt(cryptoKey, {
        [oauth.modifyAssertion]: (header, payload) => {
          const now = Math.floor(request.now() / 1000);
          Object.assign(header, headers);
          Object.assign(payload, { iat: now, nbf: now, exp: now + ASSERTION_SECONDS, aud: audience.tokenEndpoint ?? payload.aud });
        },
      });
    }
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      if (request.key === undefined || request.key.certificates.length === 0) throw fail('ConnectionInvalid', `${request.clientAuthentication} needs a privateKey and its certificate`);
      return oauth.TlsClientAuth();
    case 'none':
      return oauth.None();
  }
}

function signingKey(request: OAuthTokenRequest, fail: (reason: 'ConnectionInvalid', message: string) => TokenError): { key: ClientKey; alg: string } {
  if (request.key === undefined) throw fail('ConnectionInvalid', 'signing an assertion needs a privateKey');
  const alg = signingAlgorithm(request.key.key);
  if (alg === undefined) throw fail('ConnectionInvalid', `privateKey is a ${request.key.key.asymmetricKeyType ?? 'unknown'} key; assertions are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys`);
  return { key: request.key, alg };
}

function certificateHeaders(key: ClientKey): Record<string, string> {
  const leaf = key.certificates[0];
  if (!leaf) return {};
  const { x5t, x5tS256 } = thumbprints(leaf);
  return { x5t, 'x5t#S256': x5tS256 };
}

/** The RFC 7523 assertion: the client speaks for `subject` (itself when none), to `audience` or the token endpoint. */
async function bearerAssertion(request: OAuthTokenRequest, tokenEndpoint: string, fail: (reason: 'ConnectionInvalid', message: string) => TokenError): Promise<string> {
  const grant = request.grant as Extract<OAuthTokenRequest['grant'], { type: 'jwtBearer' }>;
  const { key, alg } = signingKey(request, fail);
  const now = Math.floor(request.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...certificateHeaders(key) })
    .setIssuer(request.clientId)
    .setSubject(grant.subject ?? request.clientId)
    .setAudience(grant.audience ?? tokenEndpoint)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ASSERTION_SECONDS)
    .setJti(randomUUID())
    .sign(key.key);
}

/** A library or network error as a failure: the server's error and description, a timeout, or an unreachable endpoint. */
function tokenFailure(error: unknown, request: OAuthTokenRequest, refused: string): ActionFailure {
  if (error instanceof oauth.ResponseBodyError) {
    const description = error.error_description ? ` (${printable(error.error_description).slice(0, 512)})` : '';
    return actionFailure('AuthenticationFailed', `connection ${request.connection}: ${refused}: ${printable(error.error)}${description}`, {
      upstream: { status: error.status, code: error.error, ...(error.error_description ? { message: error.error_description } : {}) },
    });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // A 401 with WWW-Authenticate (RFC 6749 5.2 for HTTP Basic clients): its parameters carry the error.
    const parameters = error.cause.find((c) => c.parameters.error !== undefined)?.parameters ?? {};
    const code = parameters.error ?? 'invalid_client';
    const description = parameters.error_description;
    return actionFailure('AuthenticationFailed', `connection ${request.connection}: ${refused}: ${printable(code)}${description ? ` (${printable(description).slice(0, 512)})` : ''}`, {
      upstream: { status: error.status, code, ...(description ? { message: description } : {}) },
    });
  }
  const chain: Array<{ name?: string; code?: string; message?: string }> = [];
  for (let e = error as { cause?: unknown } | undefined; e && chain.length < 5; e = e.cause as { cause?: unknown } | undefined) chain.push(e as never);
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return actionFailure('UpstreamTimeout', `connection ${request.connection}: ${origin(request.tokenUrl ?? request.issuer ?? '')} did not answer in time`);
  }
  const code = chain.map((e) => e.code).find((c) => typeof c === 'string' && /^(E[A-Z]+|ERR_|UND_|[A-Z_]*(CERT|SSL|TLS)[A-Z_]*)/.test(c));
  if (error instanceof TypeError && code !== undefined) {
    return actionFailure('UpstreamUnreachable', `connection ${request.connection}: ${origin(request.tokenUrl ?? request.issuer ?? '')} cannot be reached (${code})`);
  }
  const detail = error instanceof oauth.ClientError || error instanceof TypeError ? `: ${printable(error.message).slice(0, 256)}` : '';
  return actionFailure('AuthenticationFailed', `connection ${request.connection}: ${refused}${detail}`);
}

function isLoopbackHttp(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'of the connection';
  }
}
