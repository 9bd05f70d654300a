import Database from 'better-sqlite3';
import { ActionRefusedError } from '../../environments/action-refused-error.ts';
import { checkAction } from '../../environments/check-action.ts';
import type { AppliedAction, ApplyContext, ApplyOutcome, Lease } from '../../environments/driver.ts';
import type { ConnectionRecord, ObservedState, PublishedIntegration } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { EmbeddedEnvironment } from '../../environments/embedded/embedded-environment.ts';
import { openEmbeddedEnvironment, type OpenEmbeddedOptions } from '../../environments/embedded/open-embedded-environment.ts';
import { connectionFromRow, connectionToRow, integrationFromRow, type ConnectionRow, type IntegrationRow } from '../../environments/embedded/rows.ts';
import { toDriverError } from '../../environments/embedded/to-driver-error.ts';
import type { KeyPair } from '../../secrets/generate-key-pair.ts';
import type { EnvironmentStore } from './environment-store.ts';
import { manualFingerprint } from './manual-fingerprint.ts';

/**
 * The environment server's store in a SQLite file: the embedded environment itself (the same
 * schema, apply semantics and lease), so a file made by `intctl env init` can be served as it is.
 * A second connection to the same file reads single rows for the runtime and makes operators'
 * changes, which go around the action log on purpose: that is what makes them drift.
 */
export class SqliteStore implements EnvironmentStore {
  readonly kind = 'sqlite' as const;
  readonly name: string;
  /** The SQLite file. */
  readonly path: string;
  readonly #env: EmbeddedEnvironment;
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #sql: ReturnType<typeof prepare>;

  private constructor(env: EmbeddedEnvironment, db: Database.Database, now: () => Date) {
    this.name = env.name;
    this.path = env.path;
    this.#env = env;
    this.#db = db;
    this.#now = now;
    this.#sql = prepare(db);
  }

  /** Opens (creating when missing, unless told not to) the environment kept in the SQLite file at `path`. */
  static async open(path: string, options: OpenEmbeddedOptions): Promise<SqliteStore> {
    const env = await openEmbeddedEnvironment(path, options);
    try {
      const db = new Database(path, { fileMustExist: true });
      db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      return new SqliteStore(env, db, options.now ?? (() => new Date()));
    } catch (error) {
      await env.close();
      throw toDriverError(error, path);
    }
  }

  publicKey(): Promise<string> {
    return this.#env.publicKey();
  }

  fingerprintKey(): Promise<string> {
    return this.#env.fingerprintKey();
  }

  keyPair(): KeyPair {
    return this.#env.keyPair();
  }

  observe(): Promise<ObservedState> {
    return this.#env.observe();
  }

  acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined> {
    return this.#env.acquireLease(holder, ttlMs);
  }

  renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    return this.#env.renewLease(lease, ttlMs);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.#env.releaseLease(lease);
  }

  apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome> {
    return this.#env.apply(action, context);
  }

  actionLog(): Promise<AppliedAction[]> {
    return this.#env.actionLog();
  }

  async integration(name: string): Promise<PublishedIntegration | undefined> {
    const row = this.#guard(() => this.#sql.integration.get(name));
    return row ? integrationFromRow(row) : undefined;
  }

  async connection(name: string): Promise<ConnectionRecord | undefined> {
    const row = this.#guard(() => this.#sql.connection.get(name));
    return row ? connectionFromRow(row) : undefined;
  }

  async unpublishByHand(name: string): Promise<boolean> {
    return this.#guard(() => this.#sql.deleteIntegration.run(name).changes > 0);
  }

  async editConnectionByHand(record: ConnectionRecord): Promise<void> {
    const refusal = checkAction({ id: `manual:${record.name}`, type: 'UpsertConnection', connection: record, reason: 'Changed' }, this.keyPair());
    if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
    const stored = { ...record, fingerprint: manualFingerprint(await this.fingerprintKey(), record) };
    this.#guard(() => this.#sql.upsertConnection.run({ ...connectionToRow(stored), updated_at: this.#now().toISOString() }));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    await this.#env.close();
  }

  #guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw toDriverError(error, this.#env.path);
    }
  }
}

function prepare(db: Database.Database) {
  return {
    integration: db.prepare<[string], IntegrationRow>('SELECT * FROM integrations WHERE name = ?'),
    connection: db.prepare<[string], ConnectionRow>('SELECT * FROM connections WHERE name = ?'),
    deleteIntegration: db.prepare<[string]>('DELETE FROM integrations WHERE name = ?'),
    upsertConnection: db.prepare<[ConnectionRow & { updated_at: string }]>(
      `INSERT OR REPLACE INTO connections (name, system, auth_type, parameters, secrets, fingerprint, updated_at)
       VALUES (@name, @system, @auth_type, @parameters, @secrets, @fingerprint, @updated_at)`,
    ),
  };
}
