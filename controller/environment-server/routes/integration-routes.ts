import type { FastifyPluginAsync } from 'fastify';
import type { ActionCatalog } from '../../core/catalog.ts';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { DriftNotifier } from '../drift-notifier.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';

export interface IntegrationRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
  notifyDrift: DriftNotifier;
}

type Params = { integration: string };

/** Published integrations: the list with action names, one with its catalog, and an operator's unpublish by hand (drift). */
export const integrationRoutes: FastifyPluginAsync<IntegrationRoutesOptions> = async (app, { store, tokens, notifyDrift }) => {
  defineRoute(app, tokens, 'listIntegrations', async () => {
    const { integrations } = await store.observe();
    return {
      integrations: integrations.map(({ catalog, requires: _requires, ...rest }) => ({
        ...rest,
        actions: ((catalog as Partial<ActionCatalog> | null)?.actions ?? []).map((a) => a.name),
      })),
    };
  });
  defineRoute(app, tokens, 'getIntegration', async (request, reply) => {
    const { integration } = request.params as Params;
    const found = await store.integration(integration);
    if (found) return found;
    return reply.code(404).send({ error: 'NotFound', message: `no integration ${integration} is published in environment ${store.name}` });
  });
  defineRoute(app, tokens, 'unpublishByHand', async (request, reply) => {
    const { integration } = request.params as Params;
    if (!(await store.unpublishByHand(integration))) {
      return reply.code(404).send({ error: 'NotFound', message: `no integration ${integration} is published in environment ${store.name}` });
    }
    const changed = `integration/${integration}`;
    request.log.info({ changed }, 'unpublished by hand');
    return { changed, callback: await notifyDrift(changed) };
  });
};
