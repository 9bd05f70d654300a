import { openPostgresSession } from '../../environments/store/postgres-session.ts';
import { postgresSchemaVersion } from '../../environments/store/postgres-schema-version.ts';
import type { KeyFile } from '../../config/key-file.ts';
import { prepareEnvironment, type PreparedEnvironment } from '../../environments/store/prepare-environment.ts';
import { SqlEnvironmentStore } from '../../environments/store/sql-environment-store.ts';

export interface PostgresStoreOptions {
  /** The environment's name; a schema made for another environment is refused. */
  name: string;
  /** `postgresql://user@host:port/database`. */
  connectionString: string;
  /** The database schema the environment lives in; one per environment. */
  schema: string;
  /** The clock leases expire by and records are stamped with (replicas' clocks must agree, as NTP keeps them). */
  now?: () => Date;
  /** Connections in the pool of this replica. */
  poolSize?: number;
  /**
   * The key file that wraps the environment's private key and fingerprint key in the database, so
   * that a dump of the schema opens no sealed value. Required: the database is shared and backed
   * up apart from the server.
   */
  keyFile: KeyFile;
  /** The key file being rotated away from: keys it wraps are rewrapped with keyFile. */
  previousKeyFile?: KeyFile;
  /** Told how the keys were found and kept, once the schema is ready (to log a wrapping). */
  onKeys?: (event: PreparedEnvironment['keys']) => void;
}

/**
 * Opens an environment kept in PostgreSQL, for several environment-server replicas on one
 * database: the environment store over a pool whose connections run in the environment's schema.
 * Creates the schema, its tables and the environment's keys when missing, under an advisory lock,
 * so replicas starting together migrate it once; the private key and fingerprint key are kept
 * wrapped with the key file. A database it cannot reach throws EnvironmentUnavailableError; a
 * schema of another environment, EnvironmentMismatchError; keys the key file does not open,
 * EnvironmentKeyError.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<SqlEnvironmentStore> {
  const session = openPostgresSession({
    connectionString: options.connectionString,
    schema: options.schema,
    where: `environment ${options.name} (PostgreSQL schema ${options.schema})`,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  });
  const now = options.now ?? (() => new Date());
  try {
    const prepared = await prepareEnvironment(session, {
      name: options.name,
      now,
      place: `schema ${options.schema}`,
      schemaVersion: postgresSchemaVersion(options.schema),
      keyFile: options.keyFile,
      ...(options.previousKeyFile ? { previousKeyFile: options.previousKeyFile } : {}),
    });
    options.onKeys?.(prepared.keys);
    return new SqlEnvironmentStore(session, { name: options.name, now, keyPair: prepared.keyPair, fingerprintKey: prepared.fingerprintKey });
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
}
