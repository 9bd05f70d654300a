import type { FastifyPluginAsync } from 'fastify';
import type { EnvironmentStatus } from '../core/environment-status.ts';
import { apiAccess, type ApiAccessOptions } from './api-access.ts';

export interface StatusRoutesOptions {
  statuses: () => EnvironmentStatus[];
  /** Who may read it: the API's read door (the token when `api.readAccess` is `token`); open when left out. */
  access?: ApiAccessOptions;
}

const condition = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    observedCommit: { type: 'string' },
    lastTransitionTime: { type: 'string' },
  },
  required: ['type', 'status', 'reason', 'lastTransitionTime'],
} as const;

const environmentStatus = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    conditions: { type: 'array', items: condition },
    observedCommit: { type: 'string' },
    outcome: { type: 'string' },
    lastReconcileTime: { type: 'string' },
    lastSuccessfulReconcileTime: { type: 'string' },
    published: {
      type: 'array',
      items: {
        type: 'object',
        properties: { integration: { type: 'string' }, version: { type: 'string' }, artifactHash: { type: 'string' }, commit: { type: 'string' } },
        required: ['integration', 'version', 'artifactHash', 'commit'],
      },
    },
    lastApplied: {
      type: 'object',
      properties: { commit: { type: 'string' }, at: { type: 'string' }, actions: { type: 'array', items: { type: 'string' } } },
      required: ['commit', 'at', 'actions'],
    },
  },
  required: ['name', 'conditions', 'outcome', 'lastReconcileTime', 'published'],
} as const;

/** `GET /api/v1/status`: per environment, its conditions, the commit it observed and when it was last reconciled. */
export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, options) => {
  app.get(
    '/api/v1/status',
    {
      ...(options.access ? { onRequest: apiAccess(options.access).read } : {}),
      schema: {
        response: {
          200: { type: 'object', properties: { environments: { type: 'array', items: environmentStatus } }, required: ['environments'] },
        },
      },
    },
    async () => ({
      environments: options.statuses().map(({ environment, ...rest }) => ({ name: environment, ...rest })),
    }),
  );
};
