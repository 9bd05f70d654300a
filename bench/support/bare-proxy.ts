import { fastify } from 'fastify';
import { Agent, request } from 'undici';

/**
 * The floor of one extra HTTP hop: a bare fastify route at the action endpoint's path that
 * forwards GetItem to the warehouse with undici on a keep-alive pool, parses its JSON and answers
 * `{ output, pages }`, with no token check, validation, store or secret. Run as its own process by
 * startBareProxy (bench/support/environment-server.ts): `tsx bare-proxy.ts UPSTREAM KEY`; prints
 * its URL on standard output once it listens.
 */
const [upstream, key] = [process.argv[2]!, process.argv[3]!];
const agent = new Agent({ keepAliveTimeout: 30_000 });
const app = fastify();
app.post('/v1/integrations/:integration/actions/:action', async (req) => {
  const { itemId } = req.body as { itemId: string };
  const answer = await request(`${upstream}/items/${encodeURIComponent(itemId)}`, { dispatcher: agent, headers: { 'x-api-key': key, accept: 'application/json' } });
  return { output: await answer.body.json(), pages: 1 };
});
process.stdout.write(`${await app.listen({ port: 0, host: '127.0.0.1' })}\n`);
process.once('SIGTERM', () => void app.close().then(() => agent.close()));
