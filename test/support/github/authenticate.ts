import type { KeyObject } from 'node:crypto';
import { credentialOf, verifyAppJwt } from './auth.ts';
import { basicError, badCredentials, type Reply } from './responses.ts';
import type { StandInState } from './state.ts';

/** Operations a GitHub App calls as itself, with its JWT, rather than as an installation. */
export const APP_JWT_OPERATIONS = ['apps/get-repo-installation', 'apps/create-installation-access-token'];

export interface Credentials {
  auth: 'token' | 'app';
  token: string;
  appId: number;
  installationId: number;
  appPublicKey: KeyObject;
  state: StandInState;
}

export type Authenticated = { ok: true; subject: string } | { ok: false; reply: Reply };

/**
 * Who the request is from, or the 401 GitHub answers: app-level operations need a valid app JWT; repository
 * operations an installation token the stand-in issued (app) or the configured personal access token (token);
 * `GET /rate_limit` is also answered without credentials.
 */
export function authenticate(credentials: Credentials, operationId: string, authorization: string | undefined): Authenticated {
  const presented = credentialOf(authorization);
  if (APP_JWT_OPERATIONS.includes(operationId)) {
    if (!presented) return { ok: false, reply: basicError(401, 'A JSON web token could not be decoded') };
    const check = verifyAppJwt(presented, credentials.appPublicKey, credentials.appId);
    if (!check.ok) return { ok: false, reply: basicError(401, check.message) };
    return { ok: true, subject: `app ID ${credentials.appId}` };
  }
  if (operationId === 'rate-limit/get' && !presented) return { ok: true, subject: 'anonymous' };
  if (!presented) return { ok: false, reply: badCredentials() };
  if (credentials.auth === 'token') {
    return presented === credentials.token ? { ok: true, subject: 'user ID 1' } : { ok: false, reply: badCredentials() };
  }
  const issued = credentials.state.installationTokens.find((token) => token.token === presented);
  if (!issued || Date.parse(issued.expires_at) <= Date.now()) return { ok: false, reply: badCredentials() };
  return { ok: true, subject: `installation ID ${credentials.installationId}` };
}
