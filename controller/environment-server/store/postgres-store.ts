import pg from 'pg';
import { ActionRefusedError } from '../../environments/action-refused-error.ts';
import { checkAction } from '../../environments/check-action.ts';
import { LeaseLostError, StalePlanError, type AppliedAction, type ApplyContext, type ApplyOutcome, type Lease } from '../../environments/driver.ts';
import type { ConnectionRecord, ObservedState, PublishedIntegration } from '../../core/environment-state.ts';
import type { DependencyName } from '../../core/dependencies.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import { EnvironmentMismatchError } from '../../environments/embedded/open-embedded-environment.ts';
import {
  appliedFromRow,
  connectionFromRow,
  integrationFromRow,
  type ConnectionRow,
  type IntegrationRow,
  type LeaseRow,
  type LogRow,
  type MetaRow,
} from '../../environments/embedded/rows.ts';
import type { KeyPair } from '../../secrets/generate-key-pair.ts';
import type { EnvironmentStore } from './environment-store.ts';
import { manualFingerprint } from './manual-fingerprint.ts';
import { change, lockLease, upsertConnection } from './postgres-changes.ts';
import { toStoreError } from './postgres-errors.ts';
import { migrate } from './postgres-schema.ts';

export interface PostgresStoreOptions {
  /** The environment's name; a schema made for another environment is refused. */
  name: string;
  /** `postgresql://user@host:port/database`. */
  connectionString: string;
  /** The database schema the environment lives in; one per environment. */
  schema: string;
  /** The clock leases expire by and records are stamped with. */
  now?: () => Date;
  /** Connections in the pool of this replica. */
  poolSize?: number;
}

/**
 * An environment kept in PostgreSQL, for several environment-server replicas on one database.
 * The same semantics as the embedded store: every apply, acquire, renew and release locks the one
 * lease row (SELECT ... FOR UPDATE), so writers take turns across replicas and an action and its
 * log entry commit together or not at all; the log's seq is the next number under that lock, so
 * it has no gaps. Leases expire by the injected clock (replicas' clocks must agree, as NTP keeps
 * them). An operator's change goes around the log, which makes it drift.
 */
export class PostgresStore implements EnvironmentStore {
  readonly kind = 'postgresql' as const;
  readonly name: string;
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #now: () => Date;
  readonly #keyPair: KeyPair;
  readonly #fingerprintKey: string;

  private constructor(options: PostgresStoreOptions, pool: pg.Pool, meta: MetaRow) {
    this.name = options.name;
    this.schema = options.schema;
    this.#pool = pool;
    this.#now = options.now ?? (() => new Date());
    this.#keyPair = { publicKey: meta.public_key, privateKey: meta.private_key };
    this.#fingerprintKey = meta.fingerprint_key;
  }

  /**
   * Opens the environment in its schema, creating the schema, its tables and the environment's
   * keys when missing (under an advisory lock, so replicas starting together migrate it once).
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new RangeError(`the schema name ${JSON.stringify(options.schema)} is not a lowercase SQL identifier`);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.schema}`,
      connectionTimeoutMillis: 10_000,
    });
    pool.on('error', () => undefined); // an idle client's error surfaces on its next use
    try {
      const meta = await migrate(pool, options.schema, options.name, options.now ?? (() => new Date()));
      if (meta.environment !== options.name) throw new EnvironmentMismatchError(`schema ${options.schema} holds environment ${meta.environment}, not ${options.name}`);
      return new PostgresStore(options, pool, meta);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw toStoreError(error, `PostgreSQL schema ${options.schema}`);
    }
  }

  async publicKey(): Promise<string> {
    return this.#keyPair.publicKey;
  }

  async fingerprintKey(): Promise<string> {
    return this.#fingerprintKey;
  }

  keyPair(): KeyPair {
    return { ...this.#keyPair };
  }

  async observe(): Promise<ObservedState> {
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (c) => {
      const dependencies: Partial<Record<DependencyName, string>> = {};
      for (const row of (await c.query<{ name: string; version: string }>('SELECT name, version FROM dependencies ORDER BY name')).rows) {
        dependencies[row.name as DependencyName] = row.version;
      }
      const integrations = (await c.query<IntegrationRow>('SELECT * FROM integrations ORDER BY name COLLATE "C"')).rows.map(integrationFromRow);
      const connections = (await c.query<ConnectionRow>('SELECT * FROM connections ORDER BY name COLLATE "C"')).rows.map(connectionFromRow);
      const head = (await c.query<{ head: number }>('SELECT COALESCE(MAX(seq), 0) AS head FROM action_log')).rows[0]!.head;
      const last = async (a: string, b: string) =>
        (await c.query<Pick<LogRow, 'type' | 'target' | 'result'>>(
          'SELECT type, target, result FROM action_log WHERE seq IN (SELECT MAX(seq) FROM action_log WHERE type IN ($1, $2) GROUP BY target)',
          [a, b],
        )).rows;
      return {
        environment: this.name,
        dependencies,
        integrations,
        connections,
        logHead: head,
        lastApplied: {
          integrations: lastApplied(await last('Publish', 'Unpublish'), 'Publish'),
          connections: lastApplied(await last('UpsertConnection', 'DeleteConnection'), 'UpsertConnection'),
        },
      };
    });
  }

  async acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseRequest(holder, ttlMs);
    return this.#transaction('BEGIN', async (c) => {
      const now = this.#now().getTime();
      const row = await lockLease(c);
      if (row.holder !== null && row.holder !== holder && row.expires_at !== null && row.expires_at > now) return undefined;
      const lease: Lease = { environment: this.name, holder, token: row.token + 1, expiresAt: iso(now + ttlMs) };
      await c.query('UPDATE lease SET holder = $1, token = $2, expires_at = $3 WHERE id = 1', [holder, lease.token, now + ttlMs]);
      return lease;
    });
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    checkLeaseRequest(lease.holder, ttlMs);
    return this.#transaction('BEGIN', async (c) => {
      const row = await lockLease(c);
      if (!this.#isCurrent(lease, row)) throw this.#lost(lease, row);
      const expires = this.#now().getTime() + ttlMs;
      await c.query('UPDATE lease SET expires_at = $1 WHERE id = 1', [expires]);
      return { ...lease, expiresAt: iso(expires) };
    });
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.#transaction('BEGIN', async (c) => {
      if (this.#isCurrent(lease, await lockLease(c))) await c.query('UPDATE lease SET holder = NULL, expires_at = NULL WHERE id = 1');
    });
  }

  async apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome> {
    return this.#transaction('BEGIN', async (c) => {
      const now = this.#now();
      const row = await lockLease(c);
      if (!this.#isCurrent(context.lease, row)) throw this.#lost(context.lease, row);
      if (row.expires_at === null || row.expires_at <= now.getTime()) {
        throw new LeaseLostError(`the lease on environment ${this.name} expired at ${iso(row.expires_at ?? 0)}; renew it before applying`);
      }
      if ((await c.query('SELECT 1 FROM action_log WHERE action_id = $1', [action.id])).rowCount! > 0) return 'already-applied';
      const suffix = `@${context.plan.id}`;
      const foreign = await c.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM action_log WHERE seq > $1 AND right(action_id, $2) <> $3', [context.plan.head, suffix.length, suffix]);
      if (foreign.rows[0]!.n > 0) throw new StalePlanError(`environment ${this.name} changed since plan ${context.plan.id} was made; re-plan`);
      const refusal = checkAction(action, this.#keyPair);
      if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
      const at = now.toISOString();
      const { target, result } = await change(c, action, at);
      await c.query(
        `INSERT INTO action_log (seq, action_id, type, target, lease_token, commit_sha, applied_at, result)
         VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM action_log), $1, $2, $3, $4, $5, $6, $7)`,
        [action.id, action.type, target, context.lease.token, context.commit, at, result],
      );
      return 'applied';
    });
  }

  async actionLog(): Promise<AppliedAction[]> {
    return this.#query(async (c) => (await c.query<LogRow>('SELECT * FROM action_log ORDER BY seq')).rows.map(appliedFromRow));
  }

  async integration(name: string): Promise<PublishedIntegration | undefined> {
    const row = await this.#query(async (c) => (await c.query<IntegrationRow>('SELECT * FROM integrations WHERE name = $1', [name])).rows[0]);
    return row ? integrationFromRow(row) : undefined;
  }

  async connection(name: string): Promise<ConnectionRecord | undefined> {
    const row = await this.#query(async (c) => (await c.query<ConnectionRow>('SELECT * FROM connections WHERE name = $1', [name])).rows[0]);
    return row ? connectionFromRow(row) : undefined;
  }

  async unpublishByHand(name: string): Promise<boolean> {
    return this.#query(async (c) => (await c.query('DELETE FROM integrations WHERE name = $1', [name])).rowCount! > 0);
  }

  async editConnectionByHand(record: ConnectionRecord): Promise<void> {
    const refusal = checkAction({ id: `manual:${record.name}`, type: 'UpsertConnection', connection: record, reason: 'Changed' }, this.#keyPair);
    if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
    const stored = { ...record, fingerprint: manualFingerprint(this.#fingerprintKey, record) };
    await this.#query((c) => upsertConnection(c, stored, this.#now().toISOString()));
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }

  async #query<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw toStoreError(error, `environment ${this.name} (PostgreSQL)`);
    }
    let broken = false;
    try {
      return await run(client);
    } catch (error) {
      broken = error instanceof Error && !('severity' in error);
      throw toStoreError(error, `environment ${this.name} (PostgreSQL)`);
    } finally {
      client.release(broken);
    }
  }

  #transaction<T>(begin: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#query(async (c) => {
      await c.query(begin);
      try {
        const result = await run(c);
        await c.query('COMMIT');
        return result;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  #isCurrent(lease: Lease, row: LeaseRow): boolean {
    return lease.environment === this.name && row.holder === lease.holder && row.token === lease.token;
  }

  #lost(lease: Lease, row: LeaseRow): LeaseLostError {
    const now = row.holder === null ? 'nobody holds it now' : `${row.holder} holds it with token ${row.token}`;
    return new LeaseLostError(`the lease on environment ${this.name} held by ${lease.holder} with token ${lease.token} is no longer current: ${now}`);
  }
}

function lastApplied(rows: readonly Pick<LogRow, 'type' | 'target' | 'result'>[], setter: AppliedAction['type']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) if (row.type === setter) out[row.target] = row.result;
  return out;
}

function checkLeaseRequest(holder: string, ttlMs: number): void {
  if (typeof holder !== 'string' || holder === '') throw new TypeError('a lease holder must be a non-empty name');
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`a lease lasts a positive whole number of milliseconds, not ${ttlMs}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
