import type { PlanAction } from '../../core/plan-action.ts';
import { connectionValues, integrationValues } from './rows.ts';
import type { SqlExecutor } from './sql-session.ts';
import type { StoreSql } from './store-sql.ts';

/**
 * Makes the state change of one checked action, inside the caller's write transaction, stamped
 * `at`; returns what its log entry records: the name it is about, and what it left behind (an
 * artifact hash, a fingerprint, a version; empty for removals).
 */
export async function applyChange(tx: SqlExecutor, sql: StoreSql, action: PlanAction, at: string): Promise<{ target: string; result: string }> {
  switch (action.type) {
    case 'UpdateDependency':
      await tx.run(sql.setDependency, [action.name, action.to]);
      return { target: action.name, result: action.to };
    case 'UpsertConnection':
      await tx.run(sql.upsertConnection, connectionValues(action.connection, at));
      return { target: action.connection.name, result: action.connection.fingerprint };
    case 'Publish':
      await tx.run(sql.upsertIntegration, integrationValues(action.integration, at));
      return { target: action.integration.name, result: action.integration.artifactHash };
    case 'DeleteConnection':
    case 'Unpublish':
      await tx.run(action.type === 'Unpublish' ? sql.deleteIntegration : sql.deleteConnection, [action.name]);
      return { target: action.name, result: '' };
  }
}
