import type { FastifyPluginAsync } from 'fastify';
import type { Lease } from '../../environments/driver.ts';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';

export interface LeaseRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
}

/** The apply lease: acquire (409 LeaseHeld while another holder has it), renew (409 LeaseLost when fenced off), release. */
export const leaseRoutes: FastifyPluginAsync<LeaseRoutesOptions> = async (app, { store, tokens }) => {
  defineRoute(app, tokens, 'acquireLease', async (request, reply) => {
    const { holder, ttlMs } = request.body as { holder: string; ttlMs: number };
    const lease = await store.acquireLease(holder, ttlMs);
    if (lease) return lease;
    return reply.code(409).send({ error: 'LeaseHeld', message: `the lease on environment ${store.name} is held by another holder` });
  });
  defineRoute(app, tokens, 'renewLease', async (request) => {
    const { lease, ttlMs } = request.body as { lease: Lease; ttlMs: number };
    return store.renewLease(lease, ttlMs);
  });
  defineRoute(app, tokens, 'releaseLease', async (request, reply) => {
    await store.releaseLease((request.body as { lease: Lease }).lease);
    return reply.code(204).send();
  });
};
