import type { CatalogAction } from '../../core/catalog.ts';
import type { ConnectionRecord } from '../../core/environment-state.ts';
import { actionFailure } from '../action-failure.ts';
import type { DatabasePools } from './database-pools.ts';
import { runDatabaseAction, type DatabaseResult } from './run-database-action.ts';

/**
 * Runs a database action with the pool of its connection (opened on first use): the action
 * runtime's one entry for every database system, called once the input is checked and the
 * connection's secrets are opened.
 */
export async function invokeDatabaseAction(pools: DatabasePools, connection: ConnectionRecord, secrets: Readonly<Record<string, string>>, action: CatalogAction, input: unknown, timeoutMs: number): Promise<DatabaseResult> {
  const pool = pools.pool(connection, secrets);
  if (!pool.ok) return actionFailure('ConnectionInvalid', pool.message);
  return runDatabaseAction(pool.db, pool.address, action, (input ?? {}) as Record<string, unknown>, timeoutMs);
}
