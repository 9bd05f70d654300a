import type { FastifyPluginAsync } from 'fastify';

export interface HealthRoutesOptions {
  readiness: () => { ready: boolean; reason?: string };
}

const probeReply = {
  type: 'object',
  properties: { status: { type: 'string' }, reason: { type: 'string' } },
  required: ['status'],
} as const;

/**
 * Probes: `/healthz` answers 200 while the process runs (liveness); `/readyz` answers 503 until
 * the tracked branch was fetched once, and again once shutdown has begun (readiness).
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get('/healthz', { logLevel: 'warn', schema: { response: { 200: probeReply } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn', schema: { response: { 200: probeReply, 503: probeReply } } }, async (_request, reply) => {
    const { ready, reason } = options.readiness();
    if (ready) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', ...(reason ? { reason } : {}) });
  });
};
