import type { EnvironmentServerConfig } from '../../config/read-config.ts';
import { openEmbeddedEnvironment } from '../../environments/embedded/open-embedded-environment.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';
import { openPostgresStore } from './open-postgres-store.ts';

/**
 * The store of the configured kind: a SQLite file by default (the embedded environment itself, so
 * a file made by `intctl env init` is served as it is), PostgreSQL for several replicas on one
 * database. Both are the one environment store over a session of their dialect.
 */
export async function openStore(config: Pick<EnvironmentServerConfig, 'name' | 'store'>, now?: () => Date): Promise<EnvironmentStore> {
  const clock = now ? { now } : {};
  if (config.store.kind === 'postgresql') return openPostgresStore({ name: config.name, connectionString: config.store.url, schema: config.store.schema, ...clock });
  return openEmbeddedEnvironment(config.store.path, { name: config.name, ...clock });
}
