/** JSON schemas shared by the routes' responses. */

export const errorReply = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

export interface ErrorReply {
  error: string;
  message: string;
}

/** The answer to a webhook: what was done with it. */
export const webhookReply = {
  type: 'object',
  properties: {
    result: { type: 'string', enum: ['accepted', 'ignored', 'pong'] },
    event: { type: 'string' },
    delivery: { type: 'string' },
    reason: { type: 'string' },
    enqueued: { type: 'array', items: { type: 'string' } },
    unknown: { type: 'array', items: { type: 'string' } },
  },
  required: ['result'],
} as const;

export interface WebhookReply {
  result: 'accepted' | 'ignored' | 'pong';
  event?: string;
  delivery?: string;
  reason?: string;
  enqueued?: string[];
  unknown?: string[];
}

/** Fastify's own answer to a request that fails its schema. */
export const validationErrorReply = {
  type: 'object',
  properties: { statusCode: { type: 'integer' }, code: { type: 'string' }, error: { type: 'string' }, message: { type: 'string' } },
} as const;
