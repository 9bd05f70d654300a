import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { tokenDigest } from '../server/verify-signature.ts';

/** Who a token belongs to; each is a security scheme of the Environment API. */
export type Caller = 'controller' | 'application' | 'operator';

const SCHEMES: Record<string, Caller> = { controllerToken: 'controller', applicationToken: 'application', operatorToken: 'operator' };

/** The tokens the server knows. Applications may have several (one per app, so one can be revoked alone). */
export interface ServerTokens {
  controller: string;
  applications: readonly string[];
  /** Absent: changes by hand are not possible through the API. */
  operator?: string;
}

/** The digest of every known token with its caller, computed once per set of tokens. */
const digests = new WeakMap<ServerTokens, readonly { caller: Caller; digest: Buffer }[]>();

function knownDigests(tokens: ServerTokens): readonly { caller: Caller; digest: Buffer }[] {
  const known = digests.get(tokens);
  if (known) return known;
  const made = [
    { caller: 'controller' as const, digest: tokenDigest(tokens.controller) },
    ...tokens.applications.map((token) => ({ caller: 'application' as const, digest: tokenDigest(token) })),
    ...(tokens.operator !== undefined ? [{ caller: 'operator' as const, digest: tokenDigest(tokens.operator) }] : []),
  ];
  digests.set(tokens, made);
  return made;
}

/**
 * Which caller a bearer token is, or undefined. The token sent is hashed once and its digest
 * compared with every known token's, in constant time and without stopping at a match, so the
 * time taken says nothing about which token, or how much of one, matched. The known tokens'
 * digests are computed once per set of tokens.
 */
export function callerOf(tokens: ServerTokens, given: string): Caller | undefined {
  const sent = tokenDigest(given);
  let found: Caller | undefined;
  for (const { caller, digest } of knownDigests(tokens)) if (timingSafeEqual(digest, sent)) found ??= caller;
  return found;
}

/**
 * An onRequest hook that lets through only the callers an operation's security names: no or an
 * unknown token is 401, a known token of another caller is 403. It runs before the body is read,
 * so nothing about a request's shape is told to someone without a token.
 */
export function authorize(tokens: ServerTokens, security: readonly string[]) {
  const allowed = new Set(security.map((scheme) => SCHEMES[scheme]).filter((c): c is Caller => c !== undefined));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (security.length === 0) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const caller = match ? callerOf(tokens, match[1]!) : undefined;
    if (caller === undefined) {
      request.log.warn({ remoteAddress: request.ip, url: request.routeOptions.url }, 'refused: missing or unknown bearer token');
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'a valid bearer token is required' });
    }
    if (!allowed.has(caller)) {
      request.log.warn({ remoteAddress: request.ip, url: request.routeOptions.url, caller }, 'refused: token not allowed here');
      return reply.code(403).send({ error: 'Forbidden', message: `the ${caller} token may not call this operation` });
    }
  };
}
