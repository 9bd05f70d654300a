import { fastify } from 'fastify';
import pg from 'pg';

/**
 * The floor of one extra HTTP hop for database actions: a bare fastify route at the action
 * endpoint's path that runs GetItem (one row by key) or SearchItems (every row, by key) on
 * `SCHEMA.items` with a pg pool and answers `{ output, pages }`, with no token check,
 * validation, store, secret or conversion of values. Run as its own process by
 * startBareDatabaseProxy: `tsx bare-database-proxy.ts DATABASE_URL SCHEMA`; prints its URL on
 * standard output once it listens.
 */
const [databaseUrl, schema] = [process.argv[2]!, process.argv[3]!];
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const columns = `SELECT id, name, price, created_at, note FROM ${schema}.items`;
const app = fastify();
app.post('/v1/integrations/:integration/actions/:action', async (req) => {
  const { action } = req.params as { action: string };
  if (action === 'GetItem') return { output: (await pool.query(`${columns} WHERE id = $1`, [(req.body as { id: number }).id])).rows[0], pages: 1 };
  return { output: { items: (await pool.query(`${columns} ORDER BY id LIMIT 10000`)).rows }, pages: 1 };
});
process.stdout.write(`${await app.listen({ port: 0, host: '127.0.0.1' })}\n`);
process.once('SIGTERM', () => void app.close().then(() => pool.end()));
