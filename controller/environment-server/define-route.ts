import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { apiOperation } from './api-spec.ts';
import { authorize, type ServerTokens } from './authorize.ts';

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Registers the handler of one operation of the Environment API: its method, path, schemas of
 * params, body and every response, and who may call it, all as the document says.
 */
export function defineRoute(app: FastifyInstance, tokens: ServerTokens, operationId: string, handler: Handler, extra: Partial<RouteOptions> = {}): void {
  const op = apiOperation(operationId);
  app.route({
    method: op.method as RouteOptions['method'],
    url: op.route,
    schema: op.schema,
    onRequest: authorize(tokens, op.security),
    handler,
    ...extra,
  });
}
