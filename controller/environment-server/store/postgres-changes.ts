import type pg from 'pg';
import type { ConnectionRecord } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import { connectionToRow, integrationToRow, type LeaseRow } from '../../environments/embedded/rows.ts';

/** Lease rows as node-postgres returns them: BIGINT arrives as text. */
type RawLeaseRow = Omit<LeaseRow, 'expires_at'> & { expires_at: string | null };

/** The lease row, locked until the transaction ends: every writer of the environment takes it first. */
export async function lockLease(c: pg.PoolClient): Promise<LeaseRow> {
  const row = (await c.query<RawLeaseRow>('SELECT holder, token, expires_at FROM lease WHERE id = 1 FOR UPDATE')).rows[0]!;
  return { holder: row.holder, token: row.token, expires_at: row.expires_at === null ? null : Number(row.expires_at) };
}

/** The state change of one action, as the embedded store makes it; its log target and result. */
export async function change(c: pg.PoolClient, action: PlanAction, at: string): Promise<{ target: string; result: string }> {
  switch (action.type) {
    case 'UpdateDependency':
      await c.query('INSERT INTO dependencies (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = excluded.version', [action.name, action.to]);
      return { target: action.name, result: action.to };
    case 'UpsertConnection':
      await upsertConnection(c, action.connection, at);
      return { target: action.connection.name, result: action.connection.fingerprint };
    case 'DeleteConnection':
      await c.query('DELETE FROM connections WHERE name = $1', [action.name]);
      return { target: action.name, result: '' };
    case 'Publish': {
      const r = integrationToRow(action.integration, at);
      await c.query(
        `INSERT INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, artifact_hash = excluded.artifact_hash, system = excluded.system,
           catalog = excluded.catalog, requires = excluded.requires, connection = excluded.connection, commit_sha = excluded.commit_sha,
           published_at = excluded.published_at`,
        [r.name, r.version, r.artifact_hash, r.system, r.catalog, r.requires, r.connection, r.commit_sha, r.published_at],
      );
      return { target: action.integration.name, result: action.integration.artifactHash };
    }
    case 'Unpublish':
      await c.query('DELETE FROM integrations WHERE name = $1', [action.name]);
      return { target: action.name, result: '' };
  }
}

export async function upsertConnection(c: pg.PoolClient, record: ConnectionRecord, at: string): Promise<void> {
  const r = connectionToRow(record);
  await c.query(
    `INSERT INTO connections (name, system, auth_type, parameters, secrets, fingerprint, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (name) DO UPDATE SET system = excluded.system, auth_type = excluded.auth_type, parameters = excluded.parameters,
       secrets = excluded.secrets, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
    [r.name, r.system, r.auth_type, r.parameters, r.secrets, r.fingerprint, at],
  );
}
