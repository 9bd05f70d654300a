import type { FastifyPluginAsync } from 'fastify';
import { checkWebhookPayload } from './check-webhook-payload.ts';
import { FORWARDED_HEADER, type ReceivedDelivery } from './forward-webhook.ts';
import type { DeliveryCache } from './delivery-cache.ts';
import { errorReply, validationErrorReply, webhookReply, type ErrorReply, type WebhookReply } from './schemas.ts';
import { verifyGithubSignature } from './verify-signature.ts';

export interface GithubWebhookOptions {
  secret: string;
  /** The tracked branch: a push to it enqueues every environment. */
  branch: string;
  deliveries: DeliveryCache;
  enqueueAll: (reason: string) => string[];
  /** Pull requests and reviews; absent when GitHub reporting is not configured (they are then ignored). */
  pullRequests?: PullRequestTriggers;
  /**
   * Shards: passes a push or a review of a merged pull request on to the other replicas, which
   * own the rest of the environments (process/forward-webhook.ts). A forwarded delivery is not
   * passed on again, and plans no pull request (the replica that received it does).
   */
  forward?: (delivery: ReceivedDelivery) => void;
}

/** What a pull request or review event may do: enqueue, nothing more. */
export interface PullRequestTriggers {
  enqueue(number: number, reason: string): boolean;
  reviewed(number: number, merged: boolean, reason: string): string[];
}

/** GitHub sends up to 25 MB. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** The pull request actions that plan it again; `closed` lets go of what is kept of it. */
const PLANNED_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'closed']);
/** Review actions that change which approvals count. */
const REVIEW_ACTIONS = new Set(['submitted', 'dismissed', 'edited']);

interface Headers {
  'x-github-event': string;
  'x-github-delivery': string;
  'x-hub-signature-256'?: string;
  [FORWARDED_HEADER]?: string;
}

/**
 * `POST /webhooks/github`. The raw body is kept as bytes (a content-type parser of this plugin
 * only), its `X-Hub-Signature-256` checked before anything is read from it, and the delivery id
 * remembered so that a delivery sent twice is refused. Then: `ping` answers 200; a `push` to the
 * tracked branch enqueues every environment; `pull_request` (opened, synchronize, reopened)
 * enqueues the pull request's plan; `pull_request_review` enqueues it again and, once the pull
 * request is merged, the environments waiting for approvals; anything else is ignored. Refusals
 * answer 401 and enqueue nothing.
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
            [FORWARDED_HEADER]: { type: 'string', pattern: '^[0-9]{1,4}$' },
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
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'InvalidPayload', message: 'the body is not JSON' });
      }
      const problem = checkWebhookPayload(event, parsed);
      if (problem) {
        log.warn({ problem }, 'webhook refused: a well-signed payload of the wrong shape');
        return reply.code(400).send({ error: 'InvalidPayload', message: problem });
      }
      const payload = parsed as Record<string, unknown>;
      const base = { event, delivery };
      const forwarded = request.headers[FORWARDED_HEADER] !== undefined;
      const passOn = (): void => {
        if (forwarded || !options.forward) return;
        options.forward({ event, delivery, signature: request.headers['x-hub-signature-256'] ?? '', body });
      };
      switch (event) {
        case 'ping':
          log.info('webhook ping');
          return reply.code(200).send({ result: 'pong', ...base });
        case 'push': {
          const ref = payload.ref as string;
          if (ref !== `refs/heads/${options.branch}`) {
            log.info({ ref }, 'push ignored: not the tracked branch');
            return reply.code(202).send({ result: 'ignored', ...base, reason: `push to ${ref}, not to the tracked branch ${options.branch}` });
          }
          const enqueued = options.enqueueAll(`push ${(payload.after as string | undefined) ?? ''}`.trim());
          passOn();
          log.info({ ref, after: payload.after, enqueued, ...(forwarded ? { forwardedFrom: request.headers[FORWARDED_HEADER] } : {}) }, 'push to the tracked branch: enqueued');
          return reply.code(202).send({ result: 'accepted', ...base, enqueued });
        }
        case 'pull_request': {
          const action = String(payload.action ?? '');
          const number = pullNumber(payload.number);
          if (!PLANNED_ACTIONS.has(action) || number === undefined || forwarded) {
            log.info({ action, number }, 'pull request event ignored');
            return reply.code(202).send({ result: 'ignored', ...base, reason: `pull_request ${action} is not acted on` });
          }
          if (!options.pullRequests) {
            log.info({ action, number }, 'pull request ignored: GitHub reporting is not configured');
            return reply.code(202).send({ result: 'ignored', ...base, reason: 'pull requests are planned only when GitHub reporting is configured (github.*)' });
          }
          options.pullRequests.enqueue(number, `pull_request ${action} #${number}`);
          log.info({ action, number }, 'pull request: plan enqueued');
          return reply.code(202).send({ result: 'accepted', ...base, enqueued: [`pull/${number}`] });
        }
        case 'pull_request_review': {
          const action = String(payload.action ?? '');
          const pull = (payload.pull_request ?? {}) as Record<string, unknown>;
          const number = pullNumber(pull.number);
          if (!REVIEW_ACTIONS.has(action) || number === undefined || !options.pullRequests) {
            log.info({ action, number }, 'pull request review ignored');
            return reply.code(202).send({ result: 'ignored', ...base, reason: options.pullRequests ? `pull_request_review ${action} is not acted on` : 'reviews are read only when GitHub reporting is configured (github.*)' });
          }
          const merged = typeof pull.merged_at === 'string' && pull.merged_at !== '';
          if (forwarded && !merged) {
            return reply.code(202).send({ result: 'ignored', ...base, reason: 'a forwarded review of an open pull request: the replica that received it plans it' });
          }
          const enqueued = options.pullRequests.reviewed(number, merged, `pull_request_review ${action} #${number}`);
          if (merged) passOn();
          log.info({ action, number, merged, enqueued }, 'pull request review: enqueued');
          return reply.code(202).send({ result: 'accepted', ...base, enqueued });
        }
        default:
          log.info('webhook event ignored');
          return reply.code(202).send({ result: 'ignored', ...base, reason: `event ${event} is not acted on` });
      }
    },
  );
};

function pullNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
