import type { AppliedAction } from '../driver.ts';
import type { ConnectionRecord, PublishedIntegration, StoredSecret } from '../../core/environment-state.ts';

/** The columns of one row of each table, as SQLite returns them. */
export interface IntegrationRow {
  name: string;
  version: string;
  artifact_hash: string;
  system: string;
  catalog: string;
  requires: string;
  connection: string;
  commit_sha: string;
  published_at: string;
}

export interface ConnectionRow {
  name: string;
  system: string;
  auth_type: string;
  parameters: string;
  secrets: string;
  fingerprint: string;
}

export interface LogRow {
  seq: number;
  action_id: string;
  type: AppliedAction['type'];
  target: string;
  lease_token: number;
  commit_sha: string;
  applied_at: string;
  result: string;
}

export interface LeaseRow {
  holder: string | null;
  token: number;
  expires_at: number | null;
}

export interface MetaRow {
  environment: string;
  public_key: string;
  private_key: string;
  fingerprint_key: string;
  created_at: string;
}

export function integrationFromRow(row: IntegrationRow): PublishedIntegration {
  return {
    name: row.name,
    version: row.version,
    artifactHash: row.artifact_hash,
    system: row.system,
    catalog: JSON.parse(row.catalog) as unknown,
    requires: JSON.parse(row.requires) as PublishedIntegration['requires'],
    connection: row.connection,
    commit: row.commit_sha,
    publishedAt: row.published_at,
  };
}

export function integrationToRow(integration: PublishedIntegration, publishedAt: string): IntegrationRow {
  return {
    name: integration.name,
    version: integration.version,
    artifact_hash: integration.artifactHash,
    system: integration.system,
    catalog: JSON.stringify(integration.catalog ?? null),
    requires: JSON.stringify(integration.requires ?? {}),
    connection: integration.connection,
    commit_sha: integration.commit,
    published_at: publishedAt,
  };
}

export function connectionFromRow(row: ConnectionRow): ConnectionRecord {
  return {
    name: row.name,
    system: row.system,
    authType: row.auth_type,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    secrets: JSON.parse(row.secrets) as Record<string, StoredSecret>,
    fingerprint: row.fingerprint,
  };
}

export function connectionToRow(connection: ConnectionRecord): ConnectionRow {
  return {
    name: connection.name,
    system: connection.system,
    auth_type: connection.authType,
    parameters: JSON.stringify(connection.parameters),
    secrets: JSON.stringify(connection.secrets),
    fingerprint: connection.fingerprint,
  };
}

export function appliedFromRow(row: LogRow): AppliedAction {
  return {
    seq: row.seq,
    actionId: row.action_id,
    type: row.type,
    target: row.target,
    leaseToken: row.lease_token,
    commit: row.commit_sha,
    appliedAt: row.applied_at,
    result: row.result,
  };
}
