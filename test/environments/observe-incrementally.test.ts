import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ObservedState } from '../../controller/core/environment-state.ts';
import type { PlanAction } from '../../controller/core/plan-action.ts';
import { ActionRefusedError } from '../../controller/environments/action-refused-error.ts';
import type { Lease } from '../../controller/environments/driver.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { SqlEnvironmentStore } from '../../controller/environments/store/sql-environment-store.ts';
import { openPostgresStore } from '../../controller/environment-server/store/open-postgres-store.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { testKeyFile } from '../support/key-files.ts';
import { connection, integration } from './support/plan-fixtures.ts';

/**
 * Observing patches what the store observed last with what its change log says changed since.
 * Whatever happens in between — the store's own applies, writes by hand (inserted, edited, renamed,
 * deleted rows, a table emptied at once), a change log pruned past the observer, time passing, the
 * store reopened — the patched state equals what a store that never observed before reads. Names
 * include code points above the Basic Multilingual Plane, whose order differs between UTF-16 and
 * bytes.
 */
const NAMES = ['a', 'b', 'b-1', 'z', 'é', 'ｚ', '𝔸', 'orders'] as const;
const T0 = Date.parse('2026-12-01T08:00:00.000Z');

type Step =
  | { op: 'publish'; name: string; seed: string }
  | { op: 'unpublish'; name: string }
  | { op: 'upsertConnection'; name: string; fingerprint: string }
  | { op: 'deleteConnection'; name: string }
  | { op: 'insertByHand'; name: string; seed: string }
  | { op: 'editByHand'; name: string; seed: string }
  | { op: 'renameByHand'; from: string; to: string }
  | { op: 'deleteByHand'; name: string }
  | { op: 'connectionByHand'; name: string; fingerprint: string }
  | { op: 'emptyByHand'; table: 'integrations' | 'connections' }
  | { op: 'pruneChanges' }
  | { op: 'tick'; minutes: number }
  | { op: 'reopen' }
  | { op: 'observe' };

const name = fc.constantFrom(...NAMES);
const seed = fc.constantFrom('s1', 's2', 's3');
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('publish' as const), name, seed }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unpublish' as const), name }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('upsertConnection' as const), name, fingerprint: seed }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteConnection' as const), name }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insertByHand' as const), name, seed }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('editByHand' as const), name, seed }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('renameByHand' as const), from: name, to: name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deleteByHand' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('connectionByHand' as const), name, fingerprint: seed }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('emptyByHand' as const), table: fc.constantFrom('integrations' as const, 'connections' as const) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'pruneChanges' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const), minutes: fc.constantFrom(1, 6) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reopen' as const }) },
  { weight: 4, arbitrary: fc.constant({ op: 'observe' as const }) },
);

/** One database under test: how to open a store on it, and a connection of its own for writes by hand. */
interface Subject {
  open(now: () => Date, shared: boolean): Promise<SqlEnvironmentStore>;
  /** Runs one statement by hand, `?` placeholders. */
  byHand(sql: string, params: unknown[]): Promise<void>;
  /** Empties a table at once, as an operator would. */
  empty(table: string): Promise<void>;
  close(): Promise<void>;
}

async function sqliteSubject(): Promise<Subject> {
  const dir = await mkdtemp(join(tmpdir(), 'intctl-observe-'));
  const path = join(dir, 'dev.db');
  await (await openEmbeddedEnvironment(path, { name: 'dev' })).close();
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  return {
    open: (now, shared) => openEmbeddedEnvironment(path, { name: 'dev', now, sharedObservations: shared }),
    byHand: async (sql, params) => void db.prepare(sql).run(...params),
    empty: async (table) => void db.exec(`DELETE FROM ${table}`),
    close: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresSubject(): Promise<Subject> {
  const schema = uniqueSchema();
  const keyFile = testKeyFile();
  const open = (now: () => Date): Promise<SqlEnvironmentStore> => openPostgresStore({ name: 'dev', connectionString: DATABASE_URL, schema, poolSize: 2, keyFile, now });
  await (await open(() => new Date(T0))).close();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return {
    open: (now) => open(now),
    byHand: async (sql, params) => {
      let n = 0;
      await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
    },
    empty: async (table) => void (await client.query(`TRUNCATE ${table}`)),
    close: async () => {
      await client.end();
      await dropSchema(schema);
    },
  };
}

/** The state as plain data, catalogs read. */
const plain = (state: ObservedState): unknown => JSON.parse(JSON.stringify(state));

async function run(subject: Subject, steps: readonly Step[]): Promise<void> {
  let time = T0;
  const now = (): Date => new Date(time);
  let store = await subject.open(now, true);
  let lease: Lease | undefined;
  let plans = 0;
  const apply = async (action: PlanAction): Promise<void> => {
    lease = (await store.acquireLease('controller', 3_600_000))!;
    const head = (await store.actionLog()).at(-1)?.seq ?? 0;
    const id = `${++plans}.p`;
    try {
      await store.applyUnit([{ ...action, id: `${action.id}@${id}` }], { lease, commit: 'c'.repeat(40), plan: { head, id } });
    } catch (error) {
      if (!(error instanceof ActionRefusedError)) throw error;
    }
  };
  const insertIntegration = 'INSERT INTO integrations (name, version, artifact_hash, system, catalog, requires, connection, commit_sha, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const row = (n: string, s: string): unknown[] => {
    const i = integration(n, s);
    return [i.name, i.version, i.artifactHash, i.system, JSON.stringify({ seed: s }), JSON.stringify(i.requires), i.connection, i.commit, new Date(time).toISOString()];
  };
  try {
    for (const s of [...steps, { op: 'observe' } as const]) {
      switch (s.op) {
        case 'publish':
          await apply({ id: `publish:${s.name}`, type: 'Publish', integration: integration(s.name, s.seed), reason: 'New', breaking: false });
          break;
        case 'unpublish':
          await apply({ id: `unpublish:${s.name}`, type: 'Unpublish', name: s.name, reason: 'Pruned' });
          break;
        case 'upsertConnection':
          await apply({ id: `connection:${s.name}`, type: 'UpsertConnection', connection: connection(s.name, undefined, s.fingerprint), reason: 'New' });
          break;
        case 'deleteConnection':
          await apply({ id: `delete-connection:${s.name}`, type: 'DeleteConnection', name: s.name, reason: 'Pruned' });
          break;
        case 'insertByHand':
          await subject.byHand(`${insertIntegration} ON CONFLICT (name) DO NOTHING`, row(s.name, s.seed));
          break;
        case 'editByHand':
          await subject.byHand('UPDATE integrations SET artifact_hash = ?, catalog = ? WHERE name = ?', [integration(s.name, s.seed).artifactHash, JSON.stringify({ edited: s.seed }), s.name]);
          break;
        case 'renameByHand':
          await subject.byHand('UPDATE integrations SET name = ? WHERE name = ? AND NOT EXISTS (SELECT 1 FROM integrations WHERE name = ?)', [s.to, s.from, s.to]);
          break;
        case 'deleteByHand':
          await subject.byHand('DELETE FROM integrations WHERE name = ?', [s.name]);
          break;
        case 'connectionByHand':
          await subject.byHand('UPDATE connections SET fingerprint = ? WHERE name = ?', [`by-hand-${s.fingerprint}`, s.name]);
          break;
        case 'emptyByHand':
          await subject.empty(s.table);
          break;
        case 'pruneChanges':
          await subject.byHand('DELETE FROM changes WHERE seq < (SELECT MAX(seq) FROM changes)', []);
          break;
        case 'tick':
          time += s.minutes * 60_000;
          break;
        case 'reopen':
          await store.close();
          store = await subject.open(now, true);
          break;
        case 'observe': {
          const observed = await store.observe();
          expect(Object.isFrozen(observed) && Object.isFrozen(observed.integrations)).toBe(true);
          const fresh = await subject.open(now, false);
          try {
            expect(plain(observed)).toEqual(plain(await fresh.observe()));
          } finally {
            await fresh.close();
          }
        }
      }
    }
  } finally {
    await store.close();
  }
}

async function runOn(subject: Subject, steps: readonly Step[]): Promise<void> {
  try {
    await run(subject, steps);
  } finally {
    await subject.close();
  }
}

describe('observing an environment after any writes gives what reading it afresh gives', () => {
  it('SQLite', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        await runOn(await sqliteSubject(), steps);
      }),
      { numRuns: 40 },
    );
  });

  it('PostgreSQL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        await runOn(await postgresSubject(), steps);
      }),
      { numRuns: 15 },
    );
  });
});
