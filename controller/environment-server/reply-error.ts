import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ActionRefusedError } from '../environments/action-refused-error.ts';
import { EnvironmentUnavailableError, LeaseLostError, StalePlanError } from '../environments/driver.ts';

export interface ErrorBody {
  error: string;
  reason?: string;
  message: string;
}

/** Seconds a client is asked to wait before it retries a request the store could not serve. */
export const RETRY_AFTER_SECONDS = 1;

/** The status, body and headers an error of the store becomes; undefined for errors nobody expected. */
export function errorReply(error: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } | undefined {
  if (error instanceof LeaseLostError) return { status: 409, body: { error: 'LeaseLost', message: error.message } };
  if (error instanceof StalePlanError) return { status: 409, body: { error: 'StalePlan', message: error.message } };
  if (error instanceof ActionRefusedError) return { status: 422, body: { error: 'ActionRefused', reason: error.reason, message: error.message } };
  if (error instanceof EnvironmentUnavailableError) {
    // Nothing was stored (the transaction rolled back): the same request may be sent again.
    return { status: 503, body: { error: 'EnvironmentUnavailable', reason: 'StoreUnreachable', message: error.message }, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
  }
  const fastifyError = error as Partial<FastifyError>;
  // A response that failed its schema is the server's own fault: answered as an internal error.
  if (fastifyError.code === 'FST_RESPONSE_VALIDATION_FAILED_VALIDATION') return undefined;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: 400, body: { error: 'BadRequest', message: fastifyError.message ?? 'bad request' } };
  }
  return undefined;
}

/**
 * The server's error handler: known errors become their documented replies; anything else is
 * logged (with its stack, never a request body) and answered with a fixed message, so an
 * unexpected error cannot carry a secret or an internal detail out.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = errorReply(error);
  if (known) {
    if (known.status >= 500) request.log.warn({ reason: known.body.reason ?? known.body.error }, known.body.message);
    return reply.code(known.status).headers(known.headers ?? {}).send(known.body);
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: 'InternalError', message: 'the environment server failed; see its log' });
}
