import type { Database } from 'better-sqlite3';
import type { KeyPair } from '../../secrets/generate-key-pair.ts';
import { ActionRefusedError } from '../action-refused-error.ts';
import { checkAction } from '../check-action.ts';
import { LeaseLostError, StalePlanError, type AppliedAction, type ApplyContext, type ApplyOutcome, type EnvironmentDriver, type Lease } from '../driver.ts';
import type { DependencyName } from '../../core/dependencies.ts';
import type { ObservedState } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import {
  appliedFromRow,
  connectionFromRow,
  connectionToRow,
  integrationFromRow,
  integrationToRow,
  type ConnectionRow,
  type IntegrationRow,
  type LeaseRow,
  type LogRow,
} from './rows.ts';
import { toDriverError } from './to-driver-error.ts';

/** What an EmbeddedEnvironment is made of; openEmbeddedEnvironment builds it. */
export interface EmbeddedParts {
  name: string;
  path: string;
  db: Database;
  now: () => Date;
  keyPair: KeyPair;
  fingerprintKey: string;
  /** True when this open created the environment and its keys. */
  created: boolean;
}

/**
 * An environment kept in one SQLite file. Every write runs in an immediate transaction, so a
 * second driver on the same file (another process, another replica) waits its turn, and an
 * action and its log entry are stored together or not at all.
 */
export class EmbeddedEnvironment implements EnvironmentDriver {
  readonly name: string;
  readonly path: string;
  readonly created: boolean;
  readonly #db: Database;
  readonly #now: () => Date;
  readonly #keyPair: KeyPair;
  readonly #fingerprintKey: string;
  readonly #sql: ReturnType<typeof prepare>;

  constructor(parts: EmbeddedParts) {
    this.name = parts.name;
    this.path = parts.path;
    this.created = parts.created;
    this.#db = parts.db;
    this.#now = parts.now;
    this.#keyPair = parts.keyPair;
    this.#fingerprintKey = parts.fingerprintKey;
    this.#sql = prepare(parts.db);
  }

  async publicKey(): Promise<string> {
    return this.#keyPair.publicKey;
  }

  async fingerprintKey(): Promise<string> {
    return this.#fingerprintKey;
  }

  /** The environment's own key pair, to open sealed secrets where a connection is used. Never for the controller. */
  keyPair(): KeyPair {
    return { ...this.#keyPair };
  }

  async observe(): Promise<ObservedState> {
    return this.#guard(() =>
      this.#db.transaction((): ObservedState => {
        const dependencies: Partial<Record<DependencyName, string>> = {};
        for (const row of this.#sql.dependencies.all()) dependencies[row.name as DependencyName] = row.version;
        return {
          environment: this.name,
          dependencies,
          integrations: this.#sql.integrations.all().map(integrationFromRow),
          connections: this.#sql.connections.all().map(connectionFromRow),
          logHead: this.#sql.logHead.get()!.head,
          lastApplied: {
            integrations: lastApplied(this.#sql.lastOfTypes.all('Publish', 'Unpublish'), 'Publish'),
            connections: lastApplied(this.#sql.lastOfTypes.all('UpsertConnection', 'DeleteConnection'), 'UpsertConnection'),
          },
        };
      })(),
    );
  }

  /**
   * Takes the lease when it is free or expired, with a fencing token one above the last. The
   * holder that has it may take it again (a restarted controller with the same name); its new
   * token fences off whatever its previous incarnation still tries.
   */
  async acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseRequest(holder, ttlMs);
    return this.#guard(() =>
      this.#db
        .transaction((): Lease | undefined => {
          const now = this.#now().getTime();
          const row = this.#sql.lease.get()!;
          if (row.holder !== null && row.holder !== holder && row.expires_at !== null && row.expires_at > now) return undefined;
          const lease: Lease = { environment: this.name, holder, token: row.token + 1, expiresAt: iso(now + ttlMs) };
          this.#sql.setLease.run(holder, lease.token, now + ttlMs);
          return lease;
        })
        .immediate(),
    );
  }

  /** Extends the lease while its token is current: also once expired, as long as nobody took it since. */
  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    checkLeaseRequest(lease.holder, ttlMs);
    return this.#guard(() =>
      this.#db
        .transaction((): Lease => {
          const row = this.#sql.lease.get()!;
          if (!this.#isCurrent(lease, row)) throw this.#lost(lease, row);
          const expires = this.#now().getTime() + ttlMs;
          this.#sql.setLease.run(lease.holder, lease.token, expires);
          return { ...lease, expiresAt: iso(expires) };
        })
        .immediate(),
    );
  }

  /** Frees the lease if this token still holds it; a stale lease releases nothing, never a newer holder's. */
  async releaseLease(lease: Lease): Promise<void> {
    this.#guard(() =>
      this.#db
        .transaction(() => {
          if (this.#isCurrent(lease, this.#sql.lease.get()!)) this.#sql.setLease.run(null, lease.token, null);
        })
        .immediate(),
    );
  }

  /**
   * Applies one action in one immediate transaction: the lease must be current and unexpired
   * (else LeaseLostError), an action id already in the log is skipped ('already-applied'), a plan
   * whose head the log has moved past with another plan's actions is refused (StalePlanError), an
   * action checkAction refuses throws ActionRefusedError; otherwise the state changes and the log
   * entry is appended. Any failure rolls back both.
   */
  async apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome> {
    return this.#guard(() =>
      this.#db
        .transaction((): ApplyOutcome => {
          const now = this.#now();
          const row = this.#sql.lease.get()!;
          if (!this.#isCurrent(context.lease, row)) throw this.#lost(context.lease, row);
          if (row.expires_at === null || row.expires_at <= now.getTime()) {
            throw new LeaseLostError(`the lease on environment ${this.name} expired at ${iso(row.expires_at ?? 0)}; renew it before applying`);
          }
          if (this.#sql.logged.get(action.id) !== undefined) return 'already-applied';
          const suffix = `@${context.plan.id}`;
          if (this.#sql.foreignSince.get(context.plan.head, suffix.length, suffix)!.n > 0) {
            throw new StalePlanError(`environment ${this.name} changed since plan ${context.plan.id} was made; re-plan`);
          }
          const refusal = checkAction(action, this.#keyPair);
          if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
          const { target, result } = this.#change(action, now.toISOString());
          this.#sql.append.run(action.id, action.type, target, context.lease.token, context.commit, now.toISOString(), result);
          return 'applied';
        })
        .immediate(),
    );
  }

  async actionLog(): Promise<AppliedAction[]> {
    return this.#guard(() => this.#sql.log.all().map(appliedFromRow));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #change(action: PlanAction, at: string): { target: string; result: string } {
    switch (action.type) {
      case 'UpdateDependency':
        this.#sql.setDependency.run(action.name, action.to);
        return { target: action.name, result: action.to };
      case 'UpsertConnection':
        this.#sql.upsertConnection.run({ ...connectionToRow(action.connection), updated_at: at });
        return { target: action.connection.name, result: action.connection.fingerprint };
      case 'DeleteConnection':
        this.#sql.deleteConnection.run(action.name);
        return { target: action.name, result: '' };
      case 'Publish':
        this.#sql.upsertIntegration.run(integrationToRow(action.integration, at));
        return { target: action.integration.name, result: action.integration.artifactHash };
      case 'Unpublish':
        this.#sql.deleteIntegration.run(action.name);
        return { target: action.name, result: '' };
    }
  }

  #isCurrent(lease: Lease, row: LeaseRow): boolean {
    return lease.environment === this.name && row.holder === lease.holder && row.token === lease.token;
  }

  #lost(lease: Lease, row: LeaseRow): LeaseLostError {
    const now = row.holder === null ? 'nobody holds it now' : `${row.holder} holds it with token ${row.token}`;
    return new LeaseLostError(`the lease on environment ${this.name} held by ${lease.holder} with token ${lease.token} is no longer current: ${now}`);
  }

  #guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw toDriverError(error, this.path);
    }
  }
}

function prepare(db: Database) {
  return {
    dependencies: db.prepare<[], { name: string; version: string }>('SELECT name, version FROM dependencies ORDER BY name'),
    integrations: db.prepare<[], IntegrationRow>('SELECT * FROM integrations ORDER BY name'),
    connections: db.prepare<[], ConnectionRow>('SELECT * FROM connections ORDER BY name'),
    logHead: db.prepare<[], { head: number }>('SELECT COALESCE(MAX(seq), 0) AS head FROM action_log'),
    lastOfTypes: db.prepare<[string, string], Pick<LogRow, 'type' | 'target' | 'result'>>(
      `SELECT type, target, result FROM action_log WHERE seq IN
         (SELECT MAX(seq) FROM action_log WHERE type IN (?, ?) GROUP BY target)`,
    ),
    log: db.prepare<[], LogRow>('SELECT * FROM action_log ORDER BY seq'),
    logged: db.prepare<[string], { seq: number }>('SELECT seq FROM action_log WHERE action_id = ?'),
    /** Log entries after a plan's head that belong to another plan (action ids end in `@<plan id>`). */
    foreignSince: db.prepare<[number, number, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM action_log WHERE seq > ? AND substr(action_id, -?) != ?',
    ),
    append: db.prepare<[string, string, string, number, string, string, string]>(
      'INSERT INTO action_log (action_id, type, target, lease_token, commit_sha, applied_at, result) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    lease: db.prepare<[], LeaseRow>('SELECT holder, token, expires_at FROM lease WHERE id = 1'),
    setLease: db.prepare<[string | null, number, number | null]>('UPDATE lease SET holder = ?, token = ?, expires_at = ? WHERE id = 1'),
    setDependency: db.prepare<[string, string]>(
      'INSERT INTO dependencies (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
    ),
    upsertConnection: db.prepare<[ConnectionRow & { updated_at: string }]>(
      `INSERT OR REPLACE INTO connections (name, system, auth_type, parameters, secrets, fingerprint, updated_at)
       VALUES (@name, @system, @auth_type, @parameters, @secrets, @fingerprint, @updated_at)`,
    ),
    deleteConnection: db.prepare<[string]>('DELETE FROM connections WHERE name = ?'),
    upsertIntegration: db.prepare<[IntegrationRow]>(
      `INSERT OR REPLACE INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at)
       VALUES (@name, @version, @artifact_hash, @system, @catalog, @requires, @connection, @commit_sha, @published_at)`,
    ),
    deleteIntegration: db.prepare<[string]>('DELETE FROM integrations WHERE name = ?'),
  };
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
