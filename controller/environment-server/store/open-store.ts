import type { EnvironmentServerConfig } from '../../config/read-config.ts';
import { openEmbeddedEnvironment } from '../../environments/embedded/open-embedded-environment.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';
import type { PreparedEnvironment } from '../../environments/store/prepare-environment.ts';
import { openPostgresStore } from './open-postgres-store.ts';

export interface OpenStoreOptions {
  /** The clock leases expire by and records are stamped with. */
  now?: () => Date;
  /** Told how the environment's keys were found and kept (to log a wrapping). */
  onKeys?: (event: PreparedEnvironment['keys']) => void;
}

/**
 * The store of the configured kind: a SQLite file by default (the embedded environment itself, so
 * a file made by `intctl env init` is served as it is), PostgreSQL for several replicas on one
 * database. Both are the one environment store over a session of their dialect, with the
 * environment's private key and fingerprint key wrapped with the configured key file.
 */
export async function openStore(config: Pick<EnvironmentServerConfig, 'name' | 'store' | 'keyFile' | 'previousKeyFile'>, options: OpenStoreOptions = {}): Promise<EnvironmentStore> {
  const common = {
    name: config.name,
    keyFile: config.keyFile,
    ...(config.previousKeyFile ? { previousKeyFile: config.previousKeyFile } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onKeys ? { onKeys: options.onKeys } : {}),
  };
  if (config.store.kind === 'postgresql') return openPostgresStore({ ...common, connectionString: config.store.url, schema: config.store.schema });
  return openEmbeddedEnvironment(config.store.path, common);
}
