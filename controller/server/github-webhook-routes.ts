import type { FastifyPluginAsync } from 'fastify';
import type { DeliveryCache } from './delivery-cache.ts';
import { errorReply, validationErrorReply, webhookReply, type ErrorReply, type WebhookReply } from './schemas.ts';
import { verifyGithubSignature } from './verify-signature.ts';

export interface GithubWebhookOptions {
  secret: string;
  /** The tracked branch: a push to it enqueues every environment. */
  branch: string;
  deliveries: DeliveryCache;
  enqueueAll: (reason: string) => string[];
}

/** GitHub sends up to 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** The pull request actions that will plan the pull request once that is built. */
const PLANNED_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

interface Headers {
  'x-github-event': string;
  'x-github-delivery': string;
  'x-hub-signature-256'?: string;
}

/**
 * `POST /webhooks/github`. The raw body is kept as bytes (a content-type parser of this plugin
 * only), its `X-Hub-Signature-256` checked before anything is read from it, and the delivery id
 * remembered so that a delivery sent twice is refused. Then: `ping` answers 200; a `push` to the
 * tracked branch enqueues every environment; `pull_request` is acknowledged (planning pull
 * requests comes later); anything else is ignored. Refusals answer 401 and enqueue nothing.
 */
export const githubWebhookRoutes: FastifyPluginAsync<GithubWebhookOptions> = async (app, options) => {
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: MAX_PAYLOAD_BYTES }, (_request, body, done) => done(null, body));

  app.post<{ Headers: Headers; Body: Buffer; Reply: WebhookReply | ErrorReply }>(
    '/webhooks/github',
    {
      schema: {
        headers: {
          type: 'object',
          properties: {
            'x-github-event': { type: 'string', minLength: 1 },
            'x-github-delivery': { type: 'string', minLength: 1, maxLength: 200 },
            'x-hub-signature-256': { type: 'string' },
          },
          required: ['x-github-event', 'x-github-delivery'],
        },
        response: { 200: webhookReply, 202: webhookReply, 400: validationErrorReply, 401: errorReply },
      },
    },
    async (request, reply) => {
      const event = request.headers['x-github-event'];
      const delivery = request.headers['x-github-delivery'];
      const log = request.log.child({ event, delivery });
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!verifyGithubSignature(options.secret, body, request.headers['x-hub-signature-256'])) {
        log.warn({ remoteAddress: request.ip }, 'webhook refused: the signature does not match the body');
        return reply.code(401).send({ error: 'InvalidSignature', message: 'X-Hub-Signature-256 does not match the body signed with the webhook secret' });
      }
      if (options.deliveries.seenBefore(delivery)) {
        log.warn({ remoteAddress: request.ip }, 'webhook refused: this delivery was received before (replay)');
        return reply.code(401).send({ error: 'ReplayedDelivery', message: `delivery ${delivery} was received before` });
      }
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply.code(400).send({ error: 'InvalidPayload', message: 'the body is not JSON' });
      }
      const base = { event, delivery };
      switch (event) {
        case 'ping':
          log.info('webhook ping');
          return reply.code(200).send({ result: 'pong', ...base });
        case 'push': {
          const ref = String(payload.ref ?? '');
          if (ref !== `refs/heads/${options.branch}`) {
            log.info({ ref }, 'push ignored: not the tracked branch');
            return reply.code(202).send({ result: 'ignored', ...base, reason: `push to ${ref}, not to the tracked branch ${options.branch}` });
          }
          const enqueued = options.enqueueAll(`push ${String(payload.after ?? '')}`.trim());
          log.info({ ref, after: payload.after, enqueued }, 'push to the tracked branch: enqueued');
          return reply.code(202).send({ result: 'accepted', ...base, enqueued });
        }
        case 'pull_request': {
          const action = String(payload.action ?? '');
          const number = payload.number;
          if (!PLANNED_ACTIONS.has(action)) {
            log.info({ action, number }, 'pull request event ignored');
            return reply.code(202).send({ result: 'ignored', ...base, reason: `pull_request ${action} is not acted on` });
          }
          log.info({ action, number }, 'pull request received; planning pull requests is not implemented yet');
          return reply.code(202).send({ result: 'ignored', ...base, reason: `pull_request ${action} received; planning pull requests is not implemented yet` });
        }
        default:
          log.info('webhook event ignored');
          return reply.code(202).send({ result: 'ignored', ...base, reason: `event ${event} is not acted on` });
      }
    },
  );
};
