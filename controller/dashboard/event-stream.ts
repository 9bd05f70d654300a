import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DashboardStore } from './dashboard-store.ts';

/** How often a comment line keeps an idle stream open through proxies. */
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/v1/events`: server-sent events, one `status` event each time an environment's status
 * changes. Each stream ends when the client goes or the server closes (before it waits for its
 * connections, so a dashboard left open never holds a shutdown).
 */
export function eventStream(app: FastifyInstance, store: DashboardStore): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  return async (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(': connected\n\n');
    const unsubscribe = store.subscribe((event) => raw.write(`event: status\ndata: ${JSON.stringify(event)}\n\n`));
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const end = (): void => {
      if (!open.delete(end)) return;
      clearInterval(keepAlive);
      unsubscribe();
      raw.end();
    };
    open.add(end);
    request.raw.on('close', end);
  };
}
