import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvironmentUnavailableError, LeaseLostError, type ApplyContext } from '../../controller/environments/driver.ts';
import type { EmbeddedEnvironment } from '../../controller/environments/embedded/embedded-environment.ts';
import { ENVIRONMENT_SCHEMA } from '../../controller/environments/store/environment-schema.ts';
import { storeSql } from '../../controller/environments/store/store-sql.ts';
import { SchemaTooNewError } from '../../controller/environments/store/migrate-schema.ts';
import {
  EnvironmentMismatchError,
  EnvironmentNotInitializedError,
  openEmbeddedEnvironment,
} from '../../controller/environments/embedded/open-embedded-environment.ts';
import { PLAN, connection, hash, integration, publish, updateDependency, upsert } from './support/plan-fixtures.ts';

/** A clock that moves only when told to; several drivers may share it. */
function testClock(): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse('2026-11-28T09:00:00.000Z');
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'intctl-embedded-'));
}

describe('embedded environment', () => {
  let dir: string;
  const opened: EmbeddedEnvironment[] = [];
  afterEach(async () => {
    for (const driver of opened.splice(0)) await driver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (path: string, options: Parameters<typeof openEmbeddedEnvironment>[1]): Promise<EmbeddedEnvironment> => {
    const driver = await openEmbeddedEnvironment(path, options);
    opened.push(driver);
    return driver;
  };
  const leaseOf = async (driver: EmbeddedEnvironment, holder: string, ttl = 30_000): Promise<ApplyContext> => {
    const lease = await driver.acquireLease(holder, ttl);
    if (!lease) throw new Error(`test setup: ${holder} could not take the lease`);
    return { lease, commit: 'c'.repeat(40), plan: PLAN };
  };

  it('creates a WAL-journaled file at the newest schema, readable by its owner only (its write-ahead log too), in a new directory', async () => {
    dir = await tempDir();
    const path = join(dir, 'state', 'environments', 'dev.db');
    const driver = await open(path, { name: 'dev' });
    expect(driver.created).toBe(true);
    await driver.apply(updateDependency('2.4.0'), await leaseOf(driver, 'controller-a'));
    for (const file of [path, `${path}-wal`]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(ENVIRONMENT_SCHEMA.length);
      expect(raw.prepare('SELECT environment FROM meta').pluck().get()).toBe('dev');
      // Observing reads no catalog: every integration from an index, never through the catalogs' overflow pages.
      const plan = raw.prepare(`EXPLAIN QUERY PLAN ${storeSql('sqlite').integrationsWithoutCatalog}`).all() as Array<{ detail: string }>;
      expect(plan.map((step) => step.detail).join('; ')).toBe('SCAN integrations USING COVERING INDEX integrations_observed');
    } finally {
      raw.close();
    }
  });

  it('keeps state, log and keys across a reopen', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const first = await open(path, { name: 'dev' });
    const context = await leaseOf(first, 'controller-a');
    await first.apply(updateDependency('2.4.0'), context);
    await first.apply(upsert(connection('crm')), context);
    await first.apply(publish(integration('accounts')), context);
    const state = await first.observe();
    const log = await first.actionLog();
    const keys = { publicKey: await first.publicKey(), fingerprintKey: await first.fingerprintKey(), pair: first.keyPair() };
    await first.close();

    const second = await open(path, { name: 'dev' });
    expect(second.created).toBe(false);
    expect(await second.observe()).toEqual(state);
    expect(await second.actionLog()).toEqual(log);
    expect({ publicKey: await second.publicKey(), fingerprintKey: await second.fingerprintKey(), pair: second.keyPair() }).toEqual(keys);
    expect(await second.acquireLease('controller-b', 1000)).toBeUndefined();
  });

  it('observes without reading catalogs, and reads one when asked: during the reconcile, after close, and never one that changed since', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const driver = await open(path, { name: 'dev' });
    const context = await leaseOf(driver, 'controller-a');
    const accounts = integration('accounts');
    await driver.apply(publish(accounts), context);
    await driver.apply(publish(integration('contacts')), context);

    const observed = await driver.observe();
    expect(observed.integrations.map((i) => i.name)).toEqual(['accounts', 'contacts']);
    expect(observed.integrations[0]!.catalog).toEqual(accounts.catalog);

    // Republished since the observe: its old catalog is gone, and reading it is a stale read.
    const changed = { ...integration('contacts', 'contacts-2'), catalog: { entities: [] } };
    await driver.apply(publish(changed, 'publish:contacts:2@1.contract'), { ...context, plan: { head: observed.logHead, id: '1.contract' } });
    expect(() => observed.integrations[1]!.catalog).toThrow(/environment dev changed while it was read: integration contacts is no longer at .*; re-plan/);

    const again = await driver.observe();
    await driver.close();
    expect(again.integrations[1]!.catalog).toEqual({ entities: [] });
  });

  it('reads one integration with its catalog parsed once per publication, shared frozen, and a republished one afresh', async () => {
    dir = await tempDir();
    const clock = testClock();
    const driver = await open(join(dir, 'dev.db'), { name: 'dev', now: clock.now });
    const context = await leaseOf(driver, 'controller-a');
    const accounts = integration('accounts');
    await driver.apply(publish(accounts), context);

    const first = await driver.integration('accounts');
    const second = await driver.integration('accounts');
    expect(first).toEqual({ ...accounts, publishedAt: clock.now().toISOString() });
    expect(second!.catalog).toBe(first!.catalog);
    expect(Object.isFrozen(first!.catalog)).toBe(true);
    expect(() => ((first!.catalog as { entities: unknown[] }).entities as unknown[]).push('x')).toThrow(TypeError);

    // Another artifact; then the same hash published again later with another catalog: each read gives the stored one.
    await driver.apply(publish({ ...integration('accounts', 'accounts-2'), catalog: { entities: [] } }, 'publish:accounts:2@0.contract'), context);
    expect((await driver.integration('accounts'))!.catalog).toEqual({ entities: [] });
    clock.advance(1000);
    await driver.apply(publish({ ...integration('accounts', 'accounts-2'), catalog: { entities: ['again'] } }, 'publish:accounts:3@0.contract'), context);
    expect((await driver.integration('accounts'))!.catalog).toEqual({ entities: ['again'] });
    expect(await driver.unpublishByHand('accounts')).toBe(true);
    expect(await driver.integration('accounts')).toBeUndefined();
  });

  it('gives every environment its own keys', async () => {
    dir = await tempDir();
    const dev = await open(join(dir, 'dev.db'), { name: 'dev' });
    const prod = await open(join(dir, 'prod.db'), { name: 'prod' });
    expect(await dev.publicKey()).not.toBe(await prod.publicKey());
    expect(await dev.fingerprintKey()).not.toBe(await prod.fingerprintKey());
  });

  it('rolls back the state change when the log entry cannot be written after it', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const driver = await open(path, { name: 'dev' });
    const context = await leaseOf(driver, 'controller-a');
    await driver.apply(publish(integration('accounts', 'v1')), context);
    const before = { state: await driver.observe(), log: await driver.actionLog() };

    // A real SQLite failure between the two writes: the log insert aborts after the upsert ran.
    const raw = new Database(path);
    raw.exec(`CREATE TRIGGER fail_log BEFORE INSERT ON action_log WHEN NEW.target = 'accounts'
              BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END`);
    raw.close();

    await expect(driver.apply(publish(integration('accounts', 'v2'), 'publish:accounts:v2'), context)).rejects.toThrow('the disk is on fire');
    await expect(driver.apply(publish(integration('accounts-new'), 'publish:accounts-new'), context)).resolves.toBe('applied');
    const after = await driver.observe();
    expect(after.integrations.find((i) => i.name === 'accounts')).toEqual(before.state.integrations[0]);
    expect(after.integrations.find((i) => i.name === 'accounts')?.artifactHash).toBe(hash('v1'));
    expect((await driver.actionLog()).map((e) => e.actionId)).toEqual([...before.log.map((e) => e.actionId), 'publish:accounts-new']);
  });

  it('holds one lease across two drivers on the same file', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const clock = testClock();
    const a = await open(path, { name: 'dev', now: clock.now });
    const b = await open(path, { name: 'dev', now: clock.now });
    const held = await leaseOf(a, 'controller-a', 10_000);
    expect(await b.acquireLease('controller-b', 10_000)).toBeUndefined();
    await expect(b.apply(updateDependency('2.4.0'), { ...held, lease: { ...held.lease, holder: 'controller-b' } })).rejects.toBeInstanceOf(LeaseLostError);

    clock.advance(10_001);
    const taken = await leaseOf(b, 'controller-b', 10_000);
    expect(taken.lease.token).toBe(held.lease.token + 1);
    await expect(a.apply(updateDependency('2.4.0'), held)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.renewLease(held.lease, 10_000)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await b.apply(updateDependency('3.0.0'), taken)).toBe('applied');
    expect((await a.observe()).dependencies).toEqual({ 'integration-utils': '3.0.0' });
    expect((await a.actionLog()).map((e) => e.leaseToken)).toEqual([taken.lease.token]);
  });

  it('reports a database another writer keeps locked as unavailable, a retryable error', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const driver = await open(path, { name: 'dev', busyTimeoutMs: 50 });
    const context = await leaseOf(driver, 'controller-a');
    const raw = new Database(path);
    try {
      raw.exec('BEGIN IMMEDIATE');
      await expect(driver.apply(updateDependency('2.4.0'), context)).rejects.toBeInstanceOf(EnvironmentUnavailableError);
      raw.exec('ROLLBACK');
      await expect(driver.apply(updateDependency('2.4.0'), context)).resolves.toBe('applied');
    } finally {
      raw.close();
    }
  });

  it('refuses to change or delete log entries, even through SQL', async () => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    const driver = await open(path, { name: 'dev' });
    await driver.apply(updateDependency('2.4.0'), await leaseOf(driver, 'controller-a'));
    const raw = new Database(path);
    try {
      expect(() => raw.exec("UPDATE action_log SET result = 'x'")).toThrow('append-only');
      expect(() => raw.exec('DELETE FROM action_log')).toThrow('append-only');
    } finally {
      raw.close();
    }
    expect(await driver.actionLog()).toHaveLength(1);
  });

  it.each([
    {
      title: 'a file of another environment',
      setup: async (path: string) => (await openEmbeddedEnvironment(path, { name: 'prod' })).close(),
      options: { name: 'dev' },
      error: EnvironmentMismatchError,
    },
    { title: 'a missing file when asked not to create one', setup: async () => undefined, options: { name: 'dev', create: false }, error: EnvironmentNotInitializedError },
    {
      title: 'a file with a newer schema',
      setup: async (path: string) => {
        (await openEmbeddedEnvironment(path, { name: 'dev' })).close();
        const raw = new Database(path);
        raw.pragma(`user_version = ${ENVIRONMENT_SCHEMA.length + 1}`);
        raw.close();
      },
      options: { name: 'dev' },
      error: SchemaTooNewError,
    },
  ])('refuses to open $title', async ({ setup, options, error }) => {
    dir = await tempDir();
    const path = join(dir, 'dev.db');
    await setup(path);
    await expect(openEmbeddedEnvironment(path, options)).rejects.toBeInstanceOf(error);
  });

  it('stamps log entries and leases with the injected clock', async () => {
    dir = await tempDir();
    const clock = testClock();
    const driver = await open(join(dir, 'dev.db'), { name: 'dev', now: clock.now });
    const context = await leaseOf(driver, 'controller-a', 5000);
    expect(context.lease.expiresAt).toBe('2026-11-28T09:00:05.000Z');
    clock.advance(1000);
    await driver.apply(updateDependency('2.4.0'), context);
    expect((await driver.actionLog())[0]?.appliedAt).toBe('2026-11-28T09:00:01.000Z');
  });
});
