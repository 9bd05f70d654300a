import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../../controller/observability/logger.ts';
import { createMetrics } from '../../../controller/observability/metrics.ts';
import { buildServer, type ServerDeps } from '../../../controller/server/build-server.ts';
import { createDeliveryCache } from '../../../controller/server/delivery-cache.ts';
import { captureLogs } from '../../runtime/support/capture-logs.ts';

/** What the triggers of a test server were asked to enqueue. */
export interface Enqueued {
  all: string[];
  some: Array<{ environments: readonly string[]; reason: string }>;
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  enqueued: Enqueued;
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

/** The controller's server on a loopback port, with triggers that record what they were asked. */
export async function serve(options: { githubSecret?: string; branch?: string; genericToken?: string; known?: string[] } & Partial<ServerDeps> = {}): Promise<TestServer> {
  const logs = captureLogs();
  const enqueued: Enqueued = { all: [], some: [] };
  const known = options.known ?? ['dev', 'test'];
  const app = await buildServer({
    logger: createLogger({ level: 'debug', destination: logs.destination }),
    readiness: () => ({ ready: true }),
    statuses: () => [],
    registry: createMetrics().registry,
    enqueueAll: (reason) => {
      enqueued.all.push(reason);
      return known;
    },
    enqueue: (environments, reason) => {
      enqueued.some.push({ environments, reason });
      return { enqueued: environments.filter((e) => known.includes(e)), unknown: environments.filter((e) => !known.includes(e)) };
    },
    ...(options.githubSecret !== undefined
      ? { github: { secret: options.githubSecret, branch: options.branch ?? 'master', deliveries: createDeliveryCache(100) } }
      : {}),
    ...(options.genericToken !== undefined ? { genericToken: options.genericToken } : {}),
    ...options,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app: app as unknown as FastifyInstance, enqueued, logs, close: () => app.close() };
}
