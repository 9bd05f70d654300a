import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from './verify-signature.ts';

export interface ApiAccessOptions {
  /** The API token; absent: nothing may be changed through the API. */
  token?: string;
  readAccess: 'public' | 'token';
}

export type AccessHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

function bearerOf(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match ? match[1]!.trim() : undefined;
}

/**
 * Whether the browser says the request comes from a page of another site: `Sec-Fetch-Site`
 * other than `same-origin` or `none` (typed in, a bookmark), or an `Origin` that is not this
 * server's own (`null` included). Clients that send neither (curl, CI) are not browsers.
 */
export function crossSiteReason(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const own = `${request.protocol}://${request.headers.host ?? ''}`;
  return origin === own ? undefined : `Origin ${origin} is not ${own}`;
}

async function refuse(reply: FastifyReply, code: 401 | 403, message: string): Promise<void> {
  if (code === 401) reply.header('www-authenticate', 'Bearer');
  await reply.code(code).send({ error: code === 401 ? 'Unauthorized' : 'Forbidden', message });
}

/**
 * The API's two doors. Reading: open, or the API token when readAccess is `token`. Changing:
 * never from another site (checked first, so a forged request learns nothing about the token),
 * then the API token as a bearer header, compared in constant time. No cookie is read or set, so
 * a page of another site has nothing to ride on.
 */
export function apiAccess(options: ApiAccessOptions): { read: AccessHook; write: AccessHook } {
  const hasToken = (request: FastifyRequest): boolean => {
    const given = bearerOf(request);
    return options.token !== undefined && given !== undefined && tokenMatches(options.token, given);
  };
  return {
    async read(request, reply) {
      if (options.readAccess === 'public' || hasToken(request)) return;
      request.log.warn({ remoteAddress: request.ip }, 'API read refused: missing or wrong bearer token');
      await refuse(reply, 401, 'a valid API token is required (Authorization: Bearer <token>)');
    },
    async write(request, reply) {
      const crossSite = crossSiteReason(request);
      if (crossSite) {
        request.log.warn({ remoteAddress: request.ip, crossSite }, 'API change refused: cross-site request');
        return refuse(reply, 403, `cross-site requests may not change anything (${crossSite})`);
      }
      if (options.token === undefined) return refuse(reply, 403, 'changes through the API are off: no API token is configured (api.tokenFile, INTCTL_API_TOKEN_FILE)');
      if (hasToken(request)) return;
      request.log.warn({ remoteAddress: request.ip }, 'API change refused: missing or wrong bearer token');
      return refuse(reply, 401, 'a valid API token is required (Authorization: Bearer <token>)');
    },
  };
}
