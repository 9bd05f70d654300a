import type { ConnectionRecord } from '../../core/environment-state.ts';
import type { IntegrationSource, SystemKind } from '../../generated/manifests.ts';
import { mysqlGenerator } from '../../generators/mysql/mysql-generator.ts';
import { odataGenerator } from '../../generators/odata/odata-generator.ts';
import { postgresqlGenerator } from '../../generators/postgresql/postgresql-generator.ts';
import { databaseIntrospector } from './database-introspector.ts';
import { fetchOdataMetadata } from './fetch-odata-metadata.ts';

export interface IntrospectRequest {
  connection: ConnectionRecord;
  secrets: Readonly<Record<string, string>>;
  /** `--url`: where to read, when not where the system kind reads by default. */
  url?: string;
  fetch?: typeof fetch;
  /** The integration's `spec.source`: what to read (a database's schema). */
  source?: IntegrationSource;
}

export type Introspected = { ok: true; from: string; bytes: Uint8Array } | { ok: false; message: string };
export type Checked = { ok: true; items: string[] } | { ok: false; message: string };

/**
 * How one system kind reads its specification from the live system: fetch it with the
 * connection, and check that its generator reads what came back (listing what it holds). A
 * system kind is introspected when it has an entry in INTROSPECTORS: OData reads $metadata,
 * the database systems a schema snapshot.
 */
export interface Introspector {
  /** What `items` are, as the summary names them: "entity sets", "tables". */
  items: string;
  read(request: IntrospectRequest): Promise<Introspected>;
  check(bytes: Uint8Array, source: IntegrationSource): Promise<Checked>;
}

const odata: Introspector = {
  items: 'entity sets',
  read: (request) => fetchOdataMetadata(request),
  async check(bytes, source) {
    const { path: _path, ...options } = source;
    const model = await odataGenerator.parse(bytes, options);
    if (!model.ok) return { ok: false, message: model.problems.map((p) => `${p.pointer ? `${p.pointer}: ` : ''}${p.message}`).join('; ') };
    return { ok: true, items: model.value.entitySets.map((s) => s.name) };
  },
};

export const INTROSPECTORS: Readonly<Partial<Record<SystemKind, Introspector>>> = {
  odata,
  postgresql: databaseIntrospector(postgresqlGenerator),
  mysql: databaseIntrospector(mysqlGenerator),
};
