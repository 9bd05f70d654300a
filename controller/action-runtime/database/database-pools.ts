import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { ConnectionRecord } from '../../core/environment-state.ts';
import { actionFailure, type ActionFailure } from '../action-failure.ts';
import { StatementCache } from './statement-cache.ts';
import { sha256Hex } from '../../core/sha256.ts';

export type DatabaseKind = 'postgresql' | 'mysql';

/** Where a connection reaches its database, without its secrets: what an error may name. */
export interface DatabaseAddress {
  kind: DatabaseKind;
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface DatabaseOptions {
  /** Longest a statement may run; opening a connection may take this long too, and at least 10 s. */
  timeoutMs: number;
  /** Most connections open at once, per connection. */
  poolSize?: number;
}

/**
 * The address of a database connection: its endpoint URL (`postgresql://host:port/database`,
 * `mysql://host:port/database`), with the connection's username in place of one in the URL.
 * An error message as a value when the endpoint is not one.
 */
export function databaseAddress(connection: ConnectionRecord): { ok: true; address: DatabaseAddress; url: URL } | { ok: false; message: string } {
  const endpoint = connection.parameters.endpoint;
  const kind: DatabaseKind | undefined = connection.system === 'postgresql' ? 'postgresql' : connection.system === 'mysql' ? 'mysql' : undefined;
  if (kind === undefined) return { ok: false, message: `connection ${connection.name} is of system ${connection.system}, not a database` };
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return { ok: false, message: `connection ${connection.name} has no valid database URL as its endpoint` };
  const url = new URL(endpoint);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) return { ok: false, message: `connection ${connection.name}: the endpoint names no database (postgresql://host:port/database)` };
  const user = typeof connection.parameters.username === 'string' ? connection.parameters.username : decodeURIComponent(url.username);
  const port = url.port === '' ? (kind === 'postgresql' ? 5432 : 3306) : Number(url.port);
  return { ok: true, address: { kind, host: url.hostname.replace(/^\[|\]$/g, ''), port, database, user }, url };
}

/** TLS as the URL's `sslmode` asks (disable, require, verify-ca, verify-full), with a client certificate where the connection has one. */
function tls(url: URL, secrets: Readonly<Record<string, string>>, connection: ConnectionRecord): object | undefined {
  const mode = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl-mode')?.toLowerCase() ?? 'disable';
  const certificate = typeof connection.parameters.certificate === 'string' ? { cert: connection.parameters.certificate, key: secrets.privateKey } : {};
  if (mode === 'disable' || mode === 'disabled' || mode === 'prefer' || mode === 'preferred') return Object.keys(certificate).length > 0 ? certificate : undefined;
  return { rejectUnauthorized: mode.startsWith('verify'), ...certificate };
}

/** PostgreSQL values read as the database writes them, where pg's default would lose something: dates and timestamps (no local time zone), intervals. */
const PG_TEXT = new Set([1082, 1083, 1114, 1184, 1186, 1266]);
const PG_TEXT_ARRAYS = new Set([1182, 1115, 1185, 1187, 1183, 1270]);
/** text[]: pg's own array parser, whose elements stay text. */
const TEXT_ARRAY = 1009 as Parameters<typeof pg.types.getTypeParser>[0];
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (PG_TEXT.has(oid)) return (value: string) => value;
    if (PG_TEXT_ARRAYS.has(oid)) return pg.types.getTypeParser(TEXT_ARRAY, 'text');
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** knex's own console warnings stay quiet: every failure reaches the caller as a value. */
const QUIET = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

function knexConfig(address: DatabaseAddress, url: URL, secrets: Readonly<Record<string, string>>, connection: ConnectionRecord, options: DatabaseOptions): Knex.Config {
  const ssl = tls(url, secrets, connection);
  const common = { host: address.host, port: address.port, database: address.database, user: address.user, password: secrets.password, ...(ssl ? { ssl } : {}) };
  const pool = { min: 0, max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 };
  const connectMs = Math.max(options.timeoutMs, 10_000);
  if (address.kind === 'postgresql') {
    return {
      client: 'pg',
      connection: { ...common, types: pgTypes, options: '-c TimeZone=UTC', statement_timeout: options.timeoutMs, connectionTimeoutMillis: connectMs, application_name: 'intctl' } as Knex.PgConnectionConfig,
      pool,
      acquireConnectionTimeout: connectMs,
      log: QUIET,
    };
  }
  return {
    client: 'mysql2',
    connection: {
      ...common,
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      connectTimeout: connectMs,
      // JSON columns as text, as MariaDB sends them too: the runtime parses them once, the same way for both.
      typeCast: (field: { type: string; string: (encoding?: string) => string | null }, next: () => unknown) => (field.type === 'JSON' ? field.string('utf8') : next()),
    } as Knex.MySql2ConnectionConfig,
    pool: {
      ...pool,
      afterCreate: (conn: { query: (sql: string, done: (error: Error | null) => void) => void }, done: (error: Error | null, conn: unknown) => void) => {
        conn.query("SET time_zone = '+00:00'", (error) => done(error, conn));
      },
    },
    acquireConnectionTimeout: connectMs,
    log: QUIET,
  };
}

/**
 * The secrets of a connection as its pool needs them. `identity` changes whenever an opened value
 * would, yet costs no opening: sealed values as stored (with the public key of the pair that
 * opens them), variables and files as read for this call. `open` opens them all; it runs only
 * when no pool of that identity is open, so a sealed password is opened once per pool, not once
 * per call.
 */
export interface PoolSecrets {
  identity: string;
  open(): Promise<{ ok: true; values: Readonly<Record<string, string>> } | ActionFailure>;
}

interface OpenPool {
  key: string;
  db: Knex;
  address: DatabaseAddress;
  /** The opened values, kept with the pool that already holds them: each call's failures are scrubbed of them. */
  secrets: readonly string[];
  /** The SQL text of the statements run on it, by action and shape. */
  statements: StatementCache;
}

/**
 * One connection pool per database connection, opened on first use and kept: keyed by a digest
 * of the connection's parameters and the identity of its secrets, so a changed password opens a
 * new pool (and the old one is closed) while the secrets themselves are kept only with the pool
 * (the driver holds them anyway to open its connections).
 */
export class DatabasePools {
  private readonly pools = new Map<string, OpenPool>();

  constructor(private readonly options: DatabaseOptions) {}

  /** The pool of a connection, with its address and the secrets it was opened with. */
  async pool(connection: ConnectionRecord, secrets: PoolSecrets): Promise<({ ok: true } & Omit<OpenPool, 'key'>) | ActionFailure> {
    const key = sha256Hex(JSON.stringify([connection.system, connection.parameters, secrets.identity]));
    const known = this.pools.get(connection.name);
    if (known?.key === key) return { ok: true, db: known.db, address: known.address, secrets: known.secrets, statements: known.statements };
    const opened = await secrets.open();
    if (!opened.ok) return opened;
    const found = databaseAddress(connection);
    if (!found.ok) return actionFailure('ConnectionInvalid', found.message);
    // Another call may have opened this pool while the secrets were being opened: it is used, not replaced.
    const current = this.pools.get(connection.name);
    if (current?.key === key) return { ok: true, db: current.db, address: current.address, secrets: current.secrets, statements: current.statements };
    if (current) void current.db.destroy().catch(() => undefined);
    const db = knex(knexConfig(found.address, found.url, opened.values, connection, this.options));
    const open: OpenPool = { key, db, address: found.address, secrets: Object.values(opened.values), statements: new StatementCache() };
    this.pools.set(connection.name, open);
    return { ok: true, db, address: open.address, secrets: open.secrets, statements: open.statements };
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    const open = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(open.map((p) => p.db.destroy()));
  }
}

/** A single-use database handle, for introspection: closed by the caller. */
export function openDatabase(connection: ConnectionRecord, secrets: Readonly<Record<string, string>>, options: DatabaseOptions): { ok: true; db: Knex; address: DatabaseAddress } | { ok: false; message: string } {
  const found = databaseAddress(connection);
  if (!found.ok) return found;
  return { ok: true, db: knex(knexConfig(found.address, found.url, secrets, connection, { ...options, poolSize: 1 })), address: found.address };
}
