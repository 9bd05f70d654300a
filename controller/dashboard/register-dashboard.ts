import type { FastifyInstance } from 'fastify';
import type { ActionCatalog } from '../core/catalog.ts';
import type { LoadedObject } from '../core/manifest.ts';
import type { EnvironmentDriver } from '../environments/driver.ts';
import type { Environment } from '../generated/manifests.ts';
import type { ApiAccessOptions } from '../server/api-access.ts';
import { dashboardApiRoutes } from './dashboard-api-routes.ts';
import type { DashboardStore } from './dashboard-store.ts';
import type { HistoryEntry } from './environment-view.ts';
import type { ReadCatalog } from './integration-view.ts';
import { dashboardStaticRoutes } from './static-routes.ts';

export interface DashboardDeps {
  store: DashboardStore;
  access: ApiAccessOptions;
  openDriver: (environment: LoadedObject<Environment>) => Promise<EnvironmentDriver>;
  history: (environment: string) => Promise<HistoryEntry[]>;
  enqueue: (environment: string) => { enqueued: string[]; unknown: string[] };
  enqueueAll: () => string[];
  validateResponses?: boolean;
}

/** The published catalogs of an environment, read through its driver; none for an environment the manifests do not define. */
export function catalogReader(store: DashboardStore, openDriver: DashboardDeps['openDriver']): ReadCatalog {
  return async (environment, integration) => {
    const object = store.environment(environment)?.object ?? store.manifests()?.set.environments.find((e) => e.manifest.metadata.name === environment);
    if (!object) return undefined;
    const driver = await openDriver(object);
    try {
      const observed = await driver.observe();
      return observed.integrations.find((i) => i.name === integration)?.catalog as ActionCatalog | undefined;
    } finally {
      await driver.close();
    }
  };
}

/** Adds the dashboard (its pages at `/`) and its JSON API (`/api/v1/…`) to the controller's server, before it listens. */
export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  await app.register(dashboardApiRoutes, {
    store: deps.store,
    access: deps.access,
    readCatalog: catalogReader(deps.store, deps.openDriver),
    history: deps.history,
    enqueue: deps.enqueue,
    enqueueAll: deps.enqueueAll,
    ...(deps.validateResponses !== undefined ? { validateResponses: deps.validateResponses } : {}),
  });
  await app.register(dashboardStaticRoutes);
}
