import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface MetricsRoutesOptions {
  registry: Registry;
}

/** `/metrics`: the registry in Prometheus' text format. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  app.get('/metrics', { logLevel: 'warn', schema: { response: { 200: { type: 'string' } } } }, async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });
};
