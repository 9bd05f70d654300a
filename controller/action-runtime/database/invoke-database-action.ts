import type { CatalogAction } from '../../core/catalog.ts';
import type { ConnectionRecord } from '../../core/environment-state.ts';
import type { DatabasePools, PoolSecrets } from './database-pools.ts';
import { runDatabaseAction, type DatabaseResult } from './run-database-action.ts';

/**
 * Runs a database action with the pool of its connection (opened on first use, its secrets opened
 * then): the action runtime's one entry for every database system, called once the input is
 * checked. The secrets of the pool are added to `opened`, so that a failure is scrubbed of them.
 */
export async function invokeDatabaseAction(pools: DatabasePools, connection: ConnectionRecord, secrets: PoolSecrets, opened: string[], action: CatalogAction, input: unknown, timeoutMs: number): Promise<DatabaseResult> {
  const pool = await pools.pool(connection, secrets);
  if (!pool.ok) return pool;
  opened.push(...pool.secrets);
  return runDatabaseAction(pool.db, pool.address, action, (input ?? {}) as Record<string, unknown>, timeoutMs, pool.statements);
}
