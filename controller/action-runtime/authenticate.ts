import type { ConnectionRecord } from '../core/environment-state.ts';
import { clientAuthenticationOf, type ClientAuthentication } from '../core/systems.ts';
import type { AuthType } from '../generated/manifests.ts';
import { readClientKey, type ClientKey } from '../secrets/client-key.ts';
import type { ClientKeyCache } from './client-key-cache.ts';
import { actionFailure, type ActionFailure } from './action-failure.ts';
import type { BuiltRequest } from './build-request.ts';
import { requestOAuthToken, TokenError } from './oauth-token.ts';
import type { TlsTransports } from './tls-transport.ts';
import type { Dispatcher } from 'undici';
import type { CachedToken, TokenCache } from './token-cache.ts';

/** How a call is authenticated: what is added to its request, and what to do when the system refuses it. */
export interface Credentials {
  apply(request: BuiltRequest): void;
  /** The system answered 401: drop a cached token so a retry gets a new one; true when a retry can help. */
  refused(): boolean;
  /** The transport calls to the system go through: the connection's own when it needs mutual TLS or its own CA bundle; as a fetch, and as its agent. */
  fetch?: typeof fetch;
  dispatcher?: Dispatcher;
}

export interface AuthContext {
  cache: TokenCache;
  tls: TlsTransports;
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
  /** Where keys already read are kept; without it, a key is read at every call. */
  keys?: ClientKeyCache;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The credentials of a connection for one call, from its parameters and its opened secrets:
 * `none`; `basic` (username and password); `apiKey` (in a header, by default, or a query
 * parameter named apiKeyName); `oauth2ClientCredentials` and `oauth2JwtBearer` (an access token
 * from the token endpoint, see requestOAuthToken, cached until shortly before it expires, one
 * request in flight per connection); `clientCertificate` (mutual TLS with the connection's
 * certificate and key, nothing added to the request). With a caBundle, calls trust its
 * authorities; with tls_client_auth, calls to the system present the certificate too (a token
 * bound to it is accepted only with it). Failures never carry a secret.
 */
export async function authenticate(connection: ConnectionRecord, secrets: Readonly<Record<string, string>>, context: AuthContext): Promise<Credentials | ActionFailure> {
  const p = connection.parameters;
  const invalid = (what: string): ActionFailure => actionFailure('ConnectionInvalid', `connection ${connection.name} (${connection.authType}) has no ${what}`);
  const read = context.keys ? context.keys.read.bind(context.keys) : readClientKey;
  const key = secrets.privateKey === undefined ? undefined : read(secrets.privateKey, str(p.certificate), secrets.keyPassword);
  if (key && !key.ok) return actionFailure('ConnectionInvalid', `connection ${connection.name}: ${key.message}`);
  const clientKey = key?.value;
  const caBundle = str(p.caBundle);
  const clientAuthentication = clientAuthenticationOf(connection.authType as AuthType, str(p.clientAuthentication) as ClientAuthentication | undefined);
  const mutualTls = connection.authType === 'clientCertificate' || (connection.authType.startsWith('oauth2') && clientAuthentication.endsWith('tls_client_auth'));
  const transport = context.tls.transportFor({ ...(mutualTls && clientKey ? { clientKey } : {}), ...(caBundle ? { caBundle } : {}) });
  const via = transport ? { fetch: transport.fetch, dispatcher: transport.agent } : {};
  switch (connection.authType) {
    case 'none':
      return { apply: () => undefined, refused: () => false, ...via };
    case 'basic': {
      const username = str(p.username);
      const password = secrets.password;
      if (username === undefined) return invalid('username');
      if (password === undefined) return invalid('password');
      const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
      return { apply: (request) => void (request.headers.authorization = header), refused: () => false, ...via };
    }
    case 'apiKey': {
      const name = str(p.apiKeyName);
      const key = secrets.apiKey;
      if (name === undefined) return invalid('apiKeyName');
      if (key === undefined) return invalid('apiKey');
      const inQuery = p.apiKeyIn === 'query';
      return {
        apply: (request) => {
          if (inQuery) request.url.search = `${request.url.search === '' ? '' : `${request.url.search.slice(1)}&`}${encodeURIComponent(name)}=${encodeURIComponent(key)}`;
          else request.headers[name.toLowerCase()] = key;
        },
        refused: () => false,
        ...via,
      };
    }
    case 'clientCertificate':
      if (!clientKey) return invalid('privateKey');
      if (clientKey.certificates.length === 0) return invalid('certificate (give it, or a PKCS#12 privateKey that holds it)');
      return { apply: () => undefined, refused: () => false, ...via };
    case 'oauth2ClientCredentials':
    case 'oauth2JwtBearer':
      return oauthCredentials(connection, secrets, clientKey, clientAuthentication, transport, context);
    default:
      return actionFailure('AuthNotSupported', `connection ${connection.name}: auth type ${connection.authType} is not supported by the runtime`);
  }
}

async function oauthCredentials(
  connection: ConnectionRecord,
  secrets: Readonly<Record<string, string>>,
  clientKey: ClientKey | undefined,
  clientAuthentication: ClientAuthentication,
  transport: { agent: Dispatcher; fetch: typeof fetch } | undefined,
  context: AuthContext,
): Promise<Credentials | ActionFailure> {
  const p = connection.parameters;
  const tokenUrl = str(p.tokenUrl);
  const issuer = str(p.issuer);
  const clientId = str(p.clientId);
  if ((tokenUrl === undefined && issuer === undefined) || clientId === undefined) {
    return actionFailure('ConnectionInvalid', `connection ${connection.name} (${connection.authType}) needs clientId, and tokenUrl or issuer`);
  }
  const scopes = Array.isArray(p.scopes) ? p.scopes.map(String) : [];
  const audience = str(p.audience);
  const subject = str(p.subject);
  const grant =
    connection.authType === 'oauth2JwtBearer'
      ? { type: 'jwtBearer' as const, scopes, ...(subject !== undefined ? { subject } : {}), ...(audience !== undefined ? { audience } : {}) }
      : { type: 'clientCredentials' as const, scopes, ...(audience !== undefined ? { audience } : {}) };
  const key = JSON.stringify([connection.name, connection.fingerprint, tokenUrl ?? null, issuer ?? null, clientId, clientAuthentication, grant]);
  let token: CachedToken;
  try {
    token = await context.cache.get(key, () =>
      requestOAuthToken({
        connection: connection.name,
        ...(tokenUrl !== undefined ? { tokenUrl } : {}),
        ...(issuer !== undefined ? { issuer } : {}),
        clientId,
        clientAuthentication,
        ...(secrets.clientSecret !== undefined ? { clientSecret: secrets.clientSecret } : {}),
        ...(clientKey !== undefined ? { key: clientKey } : {}),
        grant,
        fetch: transport?.fetch ?? context.fetch,
        timeoutMs: context.timeoutMs,
        now: context.now,
      }),
    );
  } catch (error) {
    if (error instanceof TokenError) return error.failure;
    throw error;
  }
  return {
    apply: (request) => void (request.headers.authorization = `${token.tokenType.toLowerCase() === 'bearer' ? 'Bearer' : token.tokenType} ${token.accessToken}`),
    refused: () => {
      context.cache.invalidate(key, token);
      return true;
    },
    ...(transport ? { fetch: transport.fetch, dispatcher: transport.agent } : {}),
  };
}

