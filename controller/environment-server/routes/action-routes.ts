import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { ActionRuntime } from '../../action-runtime/action-runtime.ts';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';

export interface ActionRoutesOptions {
  runtime: ActionRuntime;
  tokens: ServerTokens;
}

type Params = { integration: string; action: string };

/** An action's input is a record or a query, not a bulk upload. */
const INPUT_LIMIT = 8 * 1024 * 1024;

/**
 * `POST /v1/integrations/{integration}/actions/{action}`: the runtime's endpoint for applications.
 * Its errors, its own and the external system's alike, are ActionError bodies with a reason.
 */
export const actionRoutes: FastifyPluginAsync<ActionRoutesOptions> = async (app, { runtime, tokens }) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && error.code !== 'FST_RESPONSE_VALIDATION_FAILED_VALIDATION') {
      return reply.code(400).send({ error: 'ActionFailed', reason: 'InputInvalid', message: error.message });
    }
    request.log.error({ err: error }, 'action call failed');
    return reply.code(500).send({ error: 'ActionFailed', reason: 'InternalError', message: 'the environment server failed; see its log' });
  });
  defineRoute(
    app,
    tokens,
    'invokeAction',
    async (request, reply) => {
      const { integration, action } = request.params as Params;
      const result = await runtime.invoke(integration, action, request.body);
      if (result.ok) return { output: result.output, pages: result.pages };
      return reply.code(result.status).send(result.body);
    },
    { bodyLimit: INPUT_LIMIT },
  );
};
