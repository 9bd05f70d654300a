import type { FastifyPluginAsync } from 'fastify';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';

export interface EnvironmentRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
}

/** Who the environment is and what it holds: liveness, readiness, name and public key, fingerprint key, observed state, dependencies. */
export const environmentRoutes: FastifyPluginAsync<EnvironmentRoutesOptions> = async (app, { store, tokens }) => {
  defineRoute(app, tokens, 'health', async () => ({ status: 'ok' }), { logLevel: 'warn' });
  // Not ready while the store's database cannot be reached (503 EnvironmentUnavailable, from the error handler); ready again once it answers.
  defineRoute(app, tokens, 'ready', async () => (await store.ready(), { status: 'ok' }), { logLevel: 'warn' });
  defineRoute(app, tokens, 'getEnvironment', async () => ({ name: store.name, publicKey: await store.publicKey(), store: store.kind, apiVersion: 'v1' }));
  defineRoute(app, tokens, 'getFingerprintKey', async () => ({ fingerprintKey: await store.fingerprintKey() }));
  defineRoute(app, tokens, 'observeState', async () => store.observe());
  defineRoute(app, tokens, 'getDependencies', async () => (await store.observe()).dependencies);
};
