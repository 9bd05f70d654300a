import type { AppliedAction } from '../driver.ts';
import type { ConnectionRecord, PublishedIntegration, StoredSecret } from '../../core/environment-state.ts';
import type { SqlParams } from './sql-session.ts';

/** The columns of one row of each table, as the store's sessions return them (SQLite and PostgreSQL alike). */
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

/**
 * Values that repeat from row to row of one read, each kept once: 10,000 integrations published
 * by one controller share a few requirement texts, systems, connections and commits, and an
 * observed state is kept from one observe to the next (one per environment), so a copy per row
 * of each was most of what it weighed. What is shared is frozen with the state (observations.ts).
 */
export interface SharedRowValues {
  /** The parsed requirements of a JSON text, one object per distinct text. */
  requires(text: string): PublishedIntegration['requires'];
  /** One string per distinct value. */
  text(value: string): string;
}

/** Shared values for the rows of one read; past `limit` distinct values, values are no longer kept (a bound, never a different result). */
export function sharedRowValues(limit = 1024): SharedRowValues {
  const requires = new Map<string, PublishedIntegration['requires']>();
  const texts = new Map<string, string>();
  return {
    requires(text) {
      let parsed = requires.get(text);
      if (parsed === undefined) {
        parsed = JSON.parse(text) as PublishedIntegration['requires'];
        if (requires.size < limit) requires.set(text, parsed);
      }
      return parsed;
    },
    text(value) {
      const kept = texts.get(value);
      if (kept !== undefined) return kept;
      if (texts.size < limit) texts.set(value, value);
      return value;
    },
  };
}

/**
 * A published integration as the controller sees it: catalog and requirements parsed back from
 * their JSON text. A row read without its catalog takes it from `readCatalog` when first asked.
 * With `shared`, rows of one read share their requirements objects and repeated strings (the
 * caller freezes what it keeps).
 */
export function integrationFromRow(row: IntegrationRow | Omit<IntegrationRow, 'catalog'>, readCatalog?: (name: string, artifactHash: string) => string, shared?: SharedRowValues): PublishedIntegration {
  return new ObservedIntegration(row, readCatalog, shared);
}

/**
 * A published integration read from its row. Its catalog is parsed when it is first read: a plan
 * reads it only for the integrations it republishes (to diff it), so observing 10,000 published
 * integrations parses none of them. `catalog` is an own, enumerable property like the others, a
 * getter that one function serves for every row (an object literal's getter is a function of its
 * own for each, which leaves each object slow and four times the size); what it reads is kept in
 * private fields, not the row. The properties are made in the order of PublishedIntegration.
 */
class ObservedIntegration implements PublishedIntegration {
  declare readonly name: string;
  declare readonly version: string;
  declare readonly artifactHash: string;
  declare readonly system: string;
  declare readonly catalog: unknown;
  declare readonly requires: PublishedIntegration['requires'];
  declare readonly connection: string;
  declare readonly commit: string;
  declare readonly publishedAt: string | undefined;
  #text: string | undefined;
  #readCatalog: ((name: string, artifactHash: string) => string) | undefined;
  #catalog: unknown;
  #parsed = false;

  constructor(row: IntegrationRow | Omit<IntegrationRow, 'catalog'>, readCatalog?: (name: string, artifactHash: string) => string, shared?: SharedRowValues) {
    const self = this as unknown as Record<string, unknown>;
    self.name = row.name;
    self.version = row.version;
    self.artifactHash = row.artifact_hash;
    self.system = shared ? shared.text(row.system) : row.system;
    Object.defineProperty(this, 'catalog', CATALOG);
    self.requires = shared ? shared.requires(row.requires) : (JSON.parse(row.requires) as PublishedIntegration['requires']);
    self.connection = shared ? shared.text(row.connection) : row.connection;
    self.commit = shared ? shared.text(row.commit_sha) : row.commit_sha;
    self.publishedAt = row.published_at;
    this.#text = 'catalog' in row ? row.catalog : undefined;
    this.#readCatalog = readCatalog;
  }

  static catalogOf(integration: ObservedIntegration): unknown {
    if (!integration.#parsed) {
      integration.#catalog = JSON.parse(integration.#text ?? integration.#readCatalog!(integration.name, integration.artifactHash)) as unknown;
      integration.#parsed = true;
      integration.#text = undefined;
    }
    return integration.#catalog;
  }
}

/** The one getter of every ObservedIntegration's catalog. */
const CATALOG: PropertyDescriptor = {
  enumerable: true,
  get(this: ObservedIntegration): unknown {
    return ObservedIntegration.catalogOf(this);
  },
};

/** A published integration whose catalog was parsed already (kept by CatalogCache). */
export function integrationWithCatalog(row: Omit<IntegrationRow, 'catalog'>, catalog: unknown): PublishedIntegration {
  return {
    name: row.name,
    version: row.version,
    artifactHash: row.artifact_hash,
    system: row.system,
    catalog,
    requires: JSON.parse(row.requires) as PublishedIntegration['requires'],
    connection: row.connection,
    commit: row.commit_sha,
    publishedAt: row.published_at,
  };
}

/** The values of an integrations row, in the column order of store-sql's upsertIntegration. */
export function integrationValues(integration: PublishedIntegration, publishedAt: string): SqlParams {
  return [
    integration.name,
    integration.version,
    integration.artifactHash,
    integration.system,
    JSON.stringify(integration.catalog ?? null),
    JSON.stringify(integration.requires ?? {}),
    integration.connection,
    integration.commit,
    publishedAt,
  ];
}

/** A connection as stored: parameters and secrets (sealed values and references, never opened) parsed back from JSON. */
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

/** The values of a connections row, in the column order of store-sql's upsertConnection. */
export function connectionValues(connection: ConnectionRecord, updatedAt: string): SqlParams {
  return [
    connection.name,
    connection.system,
    connection.authType,
    JSON.stringify(connection.parameters),
    JSON.stringify(connection.secrets),
    connection.fingerprint,
    updatedAt,
  ];
}

/** One log entry as the driver interface names its fields. */
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
