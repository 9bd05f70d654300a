import type { FastifyPluginAsync } from 'fastify';

/** What a replica answers its peers: who it is, how many shards it believes there are, and whether it is ready. */
export interface ShardReply {
  shard: number;
  shards: number;
  /** Ready for work (its first fetch has succeeded, shutdown has not begun): only then do its peers count it as live. */
  ready: boolean;
  /** The shards this replica counts as live, itself included, ascending: for an operator comparing replicas. */
  live: number[];
}

export interface ShardRoutesOptions {
  shard: () => ShardReply;
}

const shardReply = {
  type: 'object',
  properties: {
    shard: { type: 'integer', minimum: 0 },
    shards: { type: 'integer', minimum: 1 },
    ready: { type: 'boolean' },
    live: { type: 'array', items: { type: 'integer', minimum: 0 } },
  },
  required: ['shard', 'shards', 'ready', 'live'],
} as const;

/**
 * `GET /api/v1/shard`: the membership probe replicas send each other (process/shard-membership.ts).
 * Always 200 while the server runs: a replica that does not answer is what counts as gone.
 */
export const shardRoutes: FastifyPluginAsync<ShardRoutesOptions> = async (app, options) => {
  app.get('/api/v1/shard', { logLevel: 'warn', schema: { response: { 200: shardReply } } }, async () => options.shard());
};
