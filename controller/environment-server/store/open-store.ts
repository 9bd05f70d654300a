import type { EnvironmentServerConfig } from '../../config/read-config.ts';
import type { EnvironmentStore } from './environment-store.ts';
import { PostgresStore } from './postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** The store of the configured kind: a SQLite file by default, PostgreSQL for several replicas on one database. */
export async function openStore(config: Pick<EnvironmentServerConfig, 'name' | 'store'>, now?: () => Date): Promise<EnvironmentStore> {
  const clock = now ? { now } : {};
  if (config.store.kind === 'postgresql') return PostgresStore.open({ name: config.name, connectionString: config.store.url, schema: config.store.schema, ...clock });
  return SqliteStore.open(config.store.path, { name: config.name, ...clock });
}
