import type { FastifyPluginAsync } from 'fastify';
import { CALLBACK_HEADER, CALLBACK_REASON } from '../core/reconcile-trigger.ts';
import { errorReply, validationErrorReply, webhookReply, type ErrorReply, type WebhookReply } from './schemas.ts';
import { tokenMatches } from './verify-signature.ts';

export interface GenericWebhookOptions {
  token: string;
  enqueueAll: (reason: string) => string[];
  enqueue: (environments: readonly string[], reason: string) => { enqueued: string[]; unknown: string[] };
}

interface Body {
  environments?: string[];
}

/**
 * `POST /webhooks/generic`, for any CI system or script: `Authorization: Bearer <token>`, checked
 * in constant time before the body is read; an optional JSON body `{"environments": [...]}`
 * narrows what is enqueued (every environment when absent). An environment's drift callback says
 * so with `X-Intctl-Trigger: callback`: what it enqueues is reconciled for an environment callback.
 */
export const genericWebhookRoutes: FastifyPluginAsync<GenericWebhookOptions> = async (app, options) => {
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match && tokenMatches(options.token, match[1]!.trim())) return;
    request.log.warn({ remoteAddress: request.ip }, 'generic webhook refused: missing or wrong bearer token');
    return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'a valid bearer token is required' });
  });
  // No body means every environment: validate it as an empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {};
  });

  app.post<{ Body: Body | undefined; Reply: WebhookReply | ErrorReply }>(
    '/webhooks/generic',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            environments: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }, maxItems: 256 },
          },
          additionalProperties: false,
        },
        response: { 202: webhookReply, 400: validationErrorReply, 401: errorReply },
      },
    },
    async (request, reply) => {
      const names = request.body?.environments;
      const reason = request.headers[CALLBACK_HEADER.name] === CALLBACK_HEADER.value ? CALLBACK_REASON : 'generic webhook';
      if (names === undefined) {
        const enqueued = options.enqueueAll(reason);
        request.log.info({ enqueued }, 'generic webhook: enqueued');
        return reply.code(202).send({ result: 'accepted', enqueued });
      }
      const { enqueued, unknown } = options.enqueue(names, reason);
      request.log.info({ enqueued, unknown }, 'generic webhook: enqueued');
      return reply.code(202).send({ result: 'accepted', enqueued, unknown });
    },
  );
};
