import type { ConnectionRecord } from '../core/environment-state.ts';
import { actionFailure, type ActionFailure } from './action-failure.ts';
import type { BuiltRequest } from './build-request.ts';
import type { CachedToken, TokenCache } from './token-cache.ts';

/** How a call is authenticated: what is added to its request, and what to do when the system refuses it. */
export interface Credentials {
  apply(request: BuiltRequest): void;
  /** The system answered 401: drop a cached token so a retry gets a new one; true when a retry can help. */
  refused(): boolean;
}

export interface AuthContext {
  cache: TokenCache;
  fetch: typeof fetch;
  timeoutMs: number;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The credentials of a connection for one call, from its parameters and its opened secrets:
 * `none`; `basic` (username and password); `apiKey` (in a header, by default, or a query
 * parameter named apiKeyName); `oauth2ClientCredentials` (a token from tokenUrl for clientId and
 * clientSecret, sent with HTTP Basic client authentication as RFC 6749 requires servers to
 * support, with the connection's scopes and audience; cached until shortly before it expires).
 * Other auth types are refused as AuthNotSupported. Failures never carry a secret.
 */
export async function authenticate(connection: ConnectionRecord, secrets: Readonly<Record<string, string>>, context: AuthContext): Promise<Credentials | ActionFailure> {
  const p = connection.parameters;
  const invalid = (what: string): ActionFailure => actionFailure('ConnectionInvalid', `connection ${connection.name} (${connection.authType}) has no ${what}`);
  switch (connection.authType) {
    case 'none':
      return { apply: () => undefined, refused: () => false };
    case 'basic': {
      const username = str(p.username);
      const password = secrets.password;
      if (username === undefined) return invalid('username');
      if (password === undefined) return invalid('password');
      const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
      return { apply: (request) => void (request.headers.authorization = header), refused: () => false };
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
      };
    }
    case 'oauth2ClientCredentials':
      return clientCredentials(connection, secrets, context);
    default:
      return actionFailure('AuthNotSupported', `connection ${connection.name}: auth type ${connection.authType} is not supported by the runtime yet`);
  }
}

async function clientCredentials(connection: ConnectionRecord, secrets: Readonly<Record<string, string>>, context: AuthContext): Promise<Credentials | ActionFailure> {
  const p = connection.parameters;
  const tokenUrl = str(p.tokenUrl);
  const clientId = str(p.clientId);
  const clientSecret = secrets.clientSecret;
  if (tokenUrl === undefined || clientId === undefined || clientSecret === undefined) {
    return actionFailure('ConnectionInvalid', `connection ${connection.name} (oauth2ClientCredentials) needs tokenUrl, clientId and clientSecret`);
  }
  const scopes = Array.isArray(p.scopes) ? p.scopes.map(String) : [];
  const audience = str(p.audience);
  const key = JSON.stringify([connection.name, connection.fingerprint, tokenUrl, clientId, scopes, audience ?? null]);
  let token: CachedToken;
  try {
    token = await context.cache.get(key, () => requestToken(tokenUrl, clientId, clientSecret, scopes, audience, context));
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
  };
}

class TokenError extends Error {
  constructor(readonly failure: ActionFailure) {
    super(failure.body.message);
  }
}

async function requestToken(tokenUrl: string, clientId: string, clientSecret: string, scopes: string[], audience: string | undefined, context: AuthContext) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scopes.length > 0) form.set('scope', scopes.join(' '));
  if (audience !== undefined) form.set('audience', audience);
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`, 'utf8').toString('base64');
  let response: Response;
  let text: string;
  try {
    response = await context.fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(context.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timeout = (error as Error).name === 'TimeoutError';
    throw new TokenError(actionFailure(timeout ? 'UpstreamTimeout' : 'UpstreamUnreachable', `the token endpoint ${origin(tokenUrl)} did not answer${timeout ? ' in time' : ''}`));
  }
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A token endpoint that does not answer JSON is reported below.
  }
  if (!response.ok || typeof body.access_token !== 'string') {
    const code = str(body.error);
    const description = str(body.error_description);
    return Promise.reject(
      new TokenError(
        actionFailure('AuthenticationFailed', `the token endpoint ${origin(tokenUrl)} refused client ${clientId}${code ? `: ${code}` : ''}${description ? ` (${description})` : ''}`, {
          upstream: { status: response.status, ...(code ? { code } : {}), ...(description ? { message: description } : {}) },
        }),
      ),
    );
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : typeof body.expires_in === 'string' ? Number(body.expires_in) : undefined;
  return { accessToken: body.access_token, ...(str(body.token_type) ? { tokenType: str(body.token_type)! } : {}), ...(expiresIn !== undefined && Number.isFinite(expiresIn) ? { expiresInSeconds: expiresIn } : {}) };
}

function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'of the connection';
  }
}
