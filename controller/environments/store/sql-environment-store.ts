import { deepFreeze } from '../../core/deep-freeze.ts';
import type { DependencyName } from '../../core/dependencies.ts';
import type { ConnectionRecord, ObservedState, PublishedIntegration } from '../../core/environment-state.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { KeyPair } from '../../secrets/generate-key-pair.ts';
import { openSealed } from '../../secrets/open-sealed.ts';
import { verifyKeyPair, type KeyPairVerdict, type SealedKeyPair } from '../../secrets/verify-key-pair.ts';
import { ActionRefusedError } from '../action-refused-error.ts';
import { checkAction } from '../check-action.ts';
import { LeaseLostError, StalePlanError, type AppliedAction, type ApplyContext, type ApplyOutcome, type Lease } from '../driver.ts';
import { applyChange } from './apply-change.ts';
import { CatalogCache } from './catalog-cache.ts';
import type { EnvironmentStore, StoreKind } from './environment-store.ts';
import { EVERY_ROW } from './environment-schema.ts';
import { manualFingerprint } from './manual-fingerprint.ts';
import { frozenIntegration, frozenState, keepSharedObservation, patchByName, sharedObservation, type Observation } from './observations.ts';
import { appliedFromRow, connectionFromRow, connectionValues, integrationFromRow, integrationWithCatalog, sharedRowValues, type ConnectionRow, type IntegrationRow, type LeaseRow, type LogRow } from './rows.ts';
import type { SqlExecutor, SqlSession } from './sql-session.ts';
import { storeSql, type StoreSql } from './store-sql.ts';

/** What a SqlEnvironmentStore is made of; prepareEnvironment reads the keys from the database. */
export interface SqlEnvironmentStoreParts {
  name: string;
  /** The clock leases expire by and records are stamped with. */
  now: () => Date;
  keyPair: KeyPair;
  fingerprintKey: string;
  /**
   * Where stores of the same database share what they observed, within the process (the
   * controller opens an embedded environment anew for each reconcile); without it, each store
   * keeps its own.
   */
  observationKey?: string;
}

/** Past this many changes since the last observe, reading everything is as cheap as patching. */
const PATCH_LIMIT = 1000;
/** Everything is read again at least this often, whatever the change log says. */
const FULL_READ_EVERY_MS = 5 * 60_000;
/** The change log keeps this many newest entries; an observer further behind reads everything. */
const CHANGES_KEPT = 10_000;

/**
 * An environment kept in a SQL database, written once over a SqlSession for every dialect. Every
 * write runs in a write transaction that reads the lease first, so writers take turns (across
 * connections, processes and replicas) and an action and its log entry are stored together or not
 * at all. Leases expire by the injected clock. An operator's change by hand goes around the log,
 * which is what makes the controller see it as drift.
 */
export class SqlEnvironmentStore implements EnvironmentStore {
  readonly kind: StoreKind;
  readonly name: string;
  readonly #session: SqlSession;
  readonly #sql: StoreSql;
  readonly #now: () => Date;
  readonly #keyPair: KeyPair;
  readonly #fingerprintKey: string;
  readonly #observationKey: string | undefined;
  #observation: Observation | undefined;
  readonly #catalogs = new CatalogCache();

  constructor(session: SqlSession, parts: SqlEnvironmentStoreParts) {
    this.kind = session.dialect;
    this.name = parts.name;
    this.#session = session;
    this.#sql = storeSql(session.dialect);
    this.#now = parts.now;
    this.#keyPair = parts.keyPair;
    this.#fingerprintKey = parts.fingerprintKey;
    this.#observationKey = parts.observationKey;
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

  /**
   * The environment's state and the last applied result per name, from one consistent snapshot,
   * frozen. What the store observed last is patched with what changed since: the rows the change
   * log names (written by triggers, so changes by hand count too) and the action log's new entries.
   * Everything is read again when the change log cannot tell (pruned past the last observe, gone
   * back, an emptied table), after many changes, and every few minutes.
   */
  async observe(): Promise<ObservedState> {
    const sql = this.#sql;
    const observation = await this.#session.transaction('read', async (tx): Promise<Observation> => {
      const { tail, head } = (await tx.get<{ tail: number; head: number }>(sql.changesRange))!;
      const logHead = (await tx.get<{ head: number }>(sql.logHead))!.head;
      const at = this.#now().getTime();
      const dependencies: Partial<Record<DependencyName, string>> = {};
      for (const row of await tx.all<{ name: string; version: string }>(sql.dependencies)) dependencies[row.name as DependencyName] = row.version;
      const previous = this.#previousObservation();
      if (previous && patchable(previous, { tail, head, logHead, at })) {
        const state = await this.#patch(tx, previous, dependencies, logHead);
        if (state) return { state, changesHead: head, fullReadAt: previous.fullReadAt };
      }
      const state: ObservedState = {
        environment: this.name,
        dependencies,
        integrations: (await this.#observeIntegrations(tx)).map(frozenIntegration),
        connections: (await tx.all<ConnectionRow>(sql.connections)).map((row) => deepFreeze(connectionFromRow(row))),
        logHead,
        lastApplied: {
          integrations: lastApplied(await tx.all<LastRow>(sql.lastOfTypes, ['Publish', 'Unpublish']), 'Publish'),
          connections: lastApplied(await tx.all<LastRow>(sql.lastOfTypes, ['UpsertConnection', 'DeleteConnection']), 'UpsertConnection'),
        },
      };
      return { state: frozenState(state), changesHead: head, fullReadAt: at };
    });
    if (this.#observationKey === undefined) this.#observation = observation;
    else keepSharedObservation(this.#observationKey, observation);
    return observation.state;
  }

  #previousObservation(): Observation | undefined {
    return this.#observationKey === undefined ? this.#observation : sharedObservation(this.#observationKey);
  }

  /** The previous state with the rows the change log names since then read again; undefined when it names everything. */
  async #patch(tx: SqlExecutor, previous: Observation, dependencies: ObservedState['dependencies'], logHead: number): Promise<ObservedState | undefined> {
    const sql = this.#sql;
    const changed = { integrations: new Set<string>(), connections: new Set<string>() };
    for (const entry of await tx.all<{ kind: string; name: string }>(sql.changedSince, [previous.changesHead])) {
      if (entry.name === EVERY_ROW) return undefined;
      if (entry.kind === 'integrations' || entry.kind === 'connections') changed[entry.kind].add(entry.name);
    }
    const before = previous.state;
    let integrations = before.integrations;
    if (changed.integrations.size > 0) {
      const list = [...integrations];
      for (const name of changed.integrations) {
        const integration = await this.#observeIntegration(tx, name);
        patchByName(list, name, integration && frozenIntegration(integration));
      }
      integrations = list;
    }
    let connections = before.connections;
    if (changed.connections.size > 0) {
      const list = [...connections];
      for (const name of changed.connections) {
        const row = await tx.get<ConnectionRow>(sql.connection, [name]);
        patchByName(list, name, row && deepFreeze(connectionFromRow(row)));
      }
      connections = list;
    }
    let applied = before.lastApplied;
    if (logHead !== before.logHead) {
      // Each record is copied only when an entry of its kind changes it.
      const next = { ...applied };
      const copied = { integrations: false, connections: false };
      for (const row of await tx.all<LastRow>(sql.appliedSince, [before.logHead])) {
        const kind = row.type === 'Publish' || row.type === 'Unpublish' ? 'integrations' : 'connections';
        if (!copied[kind]) next[kind] = { ...next[kind] };
        copied[kind] = true;
        if (row.type === 'Publish' || row.type === 'UpsertConnection') next[kind][row.target] = row.result;
        else delete next[kind][row.target];
      }
      applied = next;
    }
    return frozenState({ environment: this.name, dependencies, integrations, connections, logHead, lastApplied: applied });
  }

  /** One published integration, as #observeIntegrations reads each. */
  async #observeIntegration(tx: SqlExecutor, name: string): Promise<PublishedIntegration | undefined> {
    if (!this.#session.readNow) {
      const row = await tx.get<IntegrationRow>(this.#sql.integration, [name]);
      return row && integrationFromRow(row);
    }
    const row = await tx.get<Omit<IntegrationRow, 'catalog'>>(this.#sql.integrationWithoutCatalog, [name]);
    return row && integrationFromRow(row, this.#readCatalog());
  }

  /**
   * The published integrations. Where the database answers at once (SQLite), without their
   * catalogs: a plan reads those of the few it republishes, and reading 10,000 catalogs to use
   * none was most of what observing cost. A catalog asked for after its integration changed is a
   * stale read, refused as such.
   */
  async #observeIntegrations(tx: SqlExecutor): Promise<PublishedIntegration[]> {
    const shared = sharedRowValues();
    if (!this.#session.readNow) return (await tx.all<IntegrationRow>(this.#sql.integrations)).map((row) => integrationFromRow(row, undefined, shared));
    const readCatalog = this.#readCatalog();
    return (await tx.all<Omit<IntegrationRow, 'catalog'>>(this.#sql.integrationsWithoutCatalog)).map((row) => integrationFromRow(row, readCatalog, shared));
  }

  /** Reads a catalog when first asked for, refusing it once its integration changed since it was observed. */
  #readCatalog(): (name: string, artifactHash: string) => string {
    const session = this.#session;
    const readNow = session.readNow!.bind(session);
    return (name, artifactHash) => {
      const row = readNow<{ catalog: string }>(this.#sql.catalogAt, [name, artifactHash]);
      if (!row) throw new StalePlanError(`environment ${this.name} changed while it was read: integration ${name} is no longer at ${artifactHash}; re-plan`);
      return row.catalog;
    };
  }

  /**
   * Takes the lease when it is free or expired, with a fencing token one above the last. The
   * holder that has it may take it again (a restarted controller with the same name); its new
   * token fences off whatever its previous incarnation still tries.
   */
  async acquireLease(holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseRequest(holder, ttlMs);
    return this.#session.transaction('write', async (tx) => {
      const now = this.#now().getTime();
      const row = await this.#lease(tx);
      if (row.holder !== null && row.holder !== holder && row.expires_at !== null && row.expires_at > now) return undefined;
      const lease: Lease = { environment: this.name, holder, token: row.token + 1, expiresAt: iso(now + ttlMs) };
      await tx.run(this.#sql.setLease, [holder, lease.token, now + ttlMs]);
      return lease;
    });
  }

  /** Extends the lease while its token is current: also once expired, as long as nobody took it since. */
  async renewLease(lease: Lease, ttlMs: number): Promise<Lease> {
    checkLeaseRequest(lease.holder, ttlMs);
    return this.#session.transaction('write', async (tx) => {
      const row = await this.#lease(tx);
      if (!this.#isCurrent(lease, row)) throw this.#lost(lease, row);
      const expires = this.#now().getTime() + ttlMs;
      await tx.run(this.#sql.setLease, [lease.holder, lease.token, expires]);
      return { ...lease, expiresAt: iso(expires) };
    });
  }

  /** Frees the lease if this token still holds it; a stale lease releases nothing, never a newer holder's. */
  async releaseLease(lease: Lease): Promise<void> {
    await this.#session.transaction('write', async (tx) => {
      if (this.#isCurrent(lease, await this.#lease(tx))) await tx.run(this.#sql.setLease, [null, lease.token, null]);
    });
  }

  /**
   * Applies one action in one write transaction: the lease must be current and unexpired (else
   * LeaseLostError), an action id already in the log is skipped ('already-applied'), a plan whose
   * head the log has moved past with another plan's actions is refused (StalePlanError), an action
   * checkAction refuses throws ActionRefusedError; otherwise the state changes and the log entry is
   * appended. Any failure rolls back both.
   */
  async apply(action: PlanAction, context: ApplyContext): Promise<ApplyOutcome> {
    return (await this.applyUnit([action], context))[0]!;
  }

  /** Applies actions of one plan in one write transaction, each as `apply` would: a failure of any rolls back all. */
  async applyUnit(actions: readonly PlanAction[], context: ApplyContext): Promise<ApplyOutcome[]> {
    return this.#session.transaction('write', async (tx) => {
      const now = this.#now();
      const row = await this.#lease(tx);
      if (!this.#isCurrent(context.lease, row)) throw this.#lost(context.lease, row);
      if (row.expires_at === null || row.expires_at <= now.getTime()) {
        throw new LeaseLostError(`the lease on environment ${this.name} expired at ${iso(row.expires_at ?? 0)}; renew it before applying`);
      }
      const outcomes: ApplyOutcome[] = [];
      for (const [index, action] of actions.entries()) {
        try {
          outcomes.push(await this.#applyOne(tx, action, context, now.toISOString()));
        } catch (error) {
          // Say which action of the unit was refused: the whole unit is rolled back for it.
          if (!(error instanceof ActionRefusedError) || actions.length === 1) throw error;
          throw new ActionRefusedError(error.reason, `${String(action?.type)} (action ${index + 1} of ${actions.length} applied together): ${error.message}`);
        }
      }
      await tx.run(this.#sql.pruneChanges, [CHANGES_KEPT]);
      return outcomes;
    });
  }

  /** One action inside the caller's write transaction, once the lease was checked. */
  async #applyOne(tx: SqlExecutor, action: PlanAction, context: ApplyContext, at: string): Promise<ApplyOutcome> {
    const sql = this.#sql;
    if ((await tx.get(sql.logged, [action.id])) !== undefined) return 'already-applied';
    // The log only grows through this check, so its newest entry tells: past the plan's head, an
    // entry of another plan (action ids end in `@<plan id>`) means the environment moved. One
    // row read, however long the plan: applying n actions costs n, not n².
    const last = await tx.get<{ seq: number; action_id: string }>(sql.last);
    if (last !== undefined && Number(last.seq) > context.plan.head && !last.action_id.endsWith(`@${context.plan.id}`)) {
      throw new StalePlanError(`environment ${this.name} changed since plan ${context.plan.id} was made; re-plan`);
    }
    const refusal = checkAction(action, this.#keyPair);
    if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
    const { target, result } = await applyChange(tx, sql, action, at);
    await tx.run(sql.append, [action.id, action.type, target, context.lease.token, context.commit, at, result]);
    return 'applied';
  }

  /** The append-only log of applied actions, oldest first. */
  async actionLog(): Promise<AppliedAction[]> {
    return (await this.#session.all<LogRow>(this.#sql.log)).map(appliedFromRow);
  }

  /** Which sealed values open with this environment's key pair; what opens is discarded here. */
  async verifySealed(sealed: readonly string[]): Promise<boolean[]> {
    return sealed.map((value) => openSealed(this.#keyPair, value).ok);
  }

  /** Whether each sealed private key belongs to its certificate; what opens is discarded here, only the verdict leaves. */
  async verifyKeyPairs(pairs: readonly SealedKeyPair[]): Promise<KeyPairVerdict[]> {
    return pairs.map((pair) => verifyKeyPair(this.#keyPair, pair));
  }

  /**
   * One published integration, read on its own. Its catalog is parsed once per publication and
   * shared, frozen (CatalogCache): only the small row is read per call. A catalog not cached yet
   * is read with its row, in one statement, so it is always the row's own.
   */
  async integration(name: string): Promise<PublishedIntegration | undefined> {
    const head = await this.#session.get<Omit<IntegrationRow, 'catalog'>>(this.#sql.integrationWithoutCatalog, [name]);
    if (!head) return undefined;
    const cached = this.#catalogs.cached(head.name, head.artifact_hash, head.published_at);
    if (cached !== undefined) return integrationWithCatalog(head, cached);
    const row = await this.#session.get<IntegrationRow>(this.#sql.integration, [name]);
    if (!row) return undefined;
    return integrationWithCatalog(row, this.#catalogs.catalog(row.name, row.artifact_hash, row.published_at, row.catalog));
  }

  /** One connection as stored: sealed values and references, never opened. */
  async connection(name: string): Promise<ConnectionRecord | undefined> {
    const row = await this.#session.get<ConnectionRow>(this.#sql.connection, [name]);
    return row ? connectionFromRow(row) : undefined;
  }

  /** Removes a published integration without a log entry, so the controller sees drift; false when there was none. */
  async ready(): Promise<void> {
    await this.#session.get('SELECT 1');
  }

  async unpublishByHand(name: string): Promise<boolean> {
    return (await this.#session.run(this.#sql.deleteIntegration, [name])).changes > 0;
  }

  /** Stores a connection without a log entry, after the checks an UpsertConnection gets, with a fingerprint that shows the edit. */
  async editConnectionByHand(record: ConnectionRecord): Promise<void> {
    const refusal = checkAction({ id: `manual:${record.name}`, type: 'UpsertConnection', connection: record, reason: 'Changed' }, this.#keyPair);
    if (refusal) throw new ActionRefusedError(refusal.reason, refusal.message);
    const stored = { ...record, fingerprint: manualFingerprint(this.#fingerprintKey, record) };
    await this.#session.run(this.#sql.upsertConnection, connectionValues(stored, this.#now().toISOString()));
  }

  async close(): Promise<void> {
    await this.#session.close();
  }

  /** The lease row; in a write transaction, held by it until it ends. */
  async #lease(tx: SqlExecutor): Promise<LeaseRow> {
    return (await tx.get<LeaseRow>(this.#sql.lease))!;
  }

  #isCurrent(lease: Lease, row: LeaseRow): boolean {
    return lease.environment === this.name && row.holder === lease.holder && row.token === lease.token;
  }

  #lost(lease: Lease, row: LeaseRow): LeaseLostError {
    const now = row.holder === null ? 'nobody holds it now' : `${row.holder} holds it with token ${row.token}`;
    return new LeaseLostError(`the lease on environment ${this.name} held by ${lease.holder} with token ${lease.token} is no longer current: ${now}`);
  }
}

type LastRow = Pick<LogRow, 'type' | 'target' | 'result'>;

/**
 * Whether what was observed can be brought up to date from the logs: neither log went back (a
 * database restored or replaced), the change log still holds every entry since, not too many
 * changed, and everything was read recently enough.
 */
function patchable(previous: Observation, now: { tail: number; head: number; logHead: number; at: number }): boolean {
  if (now.head < previous.changesHead || now.logHead < previous.state.logHead) return false;
  if (now.head - previous.changesHead > PATCH_LIMIT) return false;
  if (now.head > previous.changesHead && now.tail > previous.changesHead + 1) return false;
  return now.at >= previous.fullReadAt && now.at - previous.fullReadAt < FULL_READ_EVERY_MS;
}

function lastApplied(rows: readonly LastRow[], setter: AppliedAction['type']): Record<string, string> {
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
