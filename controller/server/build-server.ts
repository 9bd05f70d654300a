import { fastify, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { Registry } from 'prom-client';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import type { ReceivedDelivery } from './forward-webhook.ts';
import type { Logger } from '../observability/logger.ts';
import type { DeliveryCache } from './delivery-cache.ts';
import { genericWebhookRoutes } from './generic-webhook-routes.ts';
import { githubWebhookRoutes, type PullRequestTriggers } from './github-webhook-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { shardRoutes, type ShardReply } from './shard-routes.ts';
import type { ApiAccessOptions } from './api-access.ts';
import { statusRoutes } from './status-routes.ts';

export interface ServerDeps {
  logger: Logger;
  readiness: () => { ready: boolean; reason?: string };
  statuses: () => EnvironmentStatus[];
  /** Who may read the API (`/api/v1/status` here); open when left out. */
  apiAccess?: ApiAccessOptions;
  registry: Registry;
  /** Triggers only enqueue. */
  enqueueAll: (reason: string) => string[];
  enqueue: (environments: readonly string[], reason: string) => { enqueued: string[]; unknown: string[] };
  /** POST /webhooks/github; absent without a webhook secret. */
  github?: { secret: string; branch: string; deliveries: DeliveryCache; pullRequests?: PullRequestTriggers; forward?: (delivery: ReceivedDelivery) => void };
  /** POST /webhooks/generic; absent without a token. */
  genericToken?: string;
  /** GET /api/v1/shard, the probe of the replicas' membership; absent without it. */
  shard?: () => ShardReply;
}

/**
 * The controller's HTTP server, built but not listening (`listen()` is the caller's): probes,
 * metrics, status, and the webhooks, each group an encapsulated plugin.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>> {
  const app = fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    // A field a route does not know is refused, not silently dropped: a typo must not widen what a request does.
    ajv: { customOptions: { removeAdditional: false } },
  });
  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(metricsRoutes, { registry: deps.registry });
  await app.register(statusRoutes, { statuses: deps.statuses, ...(deps.apiAccess ? { access: deps.apiAccess } : {}) });
  if (deps.shard) await app.register(shardRoutes, { shard: deps.shard });
  if (deps.github) {
    await app.register(githubWebhookRoutes, { ...deps.github, enqueueAll: deps.enqueueAll });
  }
  if (deps.genericToken !== undefined) {
    await app.register(genericWebhookRoutes, { token: deps.genericToken, enqueueAll: deps.enqueueAll, enqueue: deps.enqueue });
  }
  return app;
}
