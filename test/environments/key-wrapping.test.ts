import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyFile } from '../../controller/config/key-file.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import type { PreparedEnvironment } from '../../controller/environments/store/prepare-environment.ts';
import type { SqlEnvironmentStore } from '../../controller/environments/store/sql-environment-store.ts';
import { EnvironmentKeyError } from '../../controller/environments/store/stored-keys.ts';
import { openPostgresStore } from '../../controller/environment-server/store/open-postgres-store.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { testKeyFile } from '../support/key-files.ts';

type Events = Array<PreparedEnvironment['keys']>;

interface Backend {
  /** Opens the environment `prod` on this test's database, with the key files given (a SQLite file may take none). */
  open(files: { keyFile?: KeyFile; previousKeyFile?: KeyFile }, events?: Events): Promise<SqlEnvironmentStore>;
  /** The meta row as stored. */
  meta(): Promise<Record<string, string>>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqlite(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'intctl-keys-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'prod.db');
  return {
    async open(files, events) {
      const store = await openEmbeddedEnvironment(path, { name: 'prod', ...files, ...(events ? { onKeys: (e) => void events.push(e) } : {}) });
      cleanups.push(() => store.close());
      return store;
    },
    async meta() {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT * FROM meta').get() as Record<string, string>;
      } finally {
        db.close();
      }
    },
  };
}

async function postgres(): Promise<Backend> {
  const schema = uniqueSchema();
  cleanups.push(() => dropSchema(schema));
  const clear = testKeyFile();
  return {
    async open(files, events) {
      // PostgreSQL requires a key file; a clear schema is made as earlier intctl made it, by wrapping nothing.
      const store = await openPostgresStore({ name: 'prod', connectionString: DATABASE_URL, schema, poolSize: 1, keyFile: files.keyFile ?? clear, ...(files.previousKeyFile ? { previousKeyFile: files.previousKeyFile } : {}), ...(events ? { onKeys: (e) => void events.push(e) } : {}) });
      cleanups.push(() => store.close());
      return store;
    },
    meta: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        return (await client.query(`SELECT * FROM "${schema}".meta`)).rows[0] as Record<string, string>;
      } finally {
        await client.end();
      }
    },
  };
}

async function keysOf(store: SqlEnvironmentStore): Promise<unknown> {
  return { ...store.keyPair(), fingerprintKey: await store.fingerprintKey() };
}

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
])('the environment keys in %s, wrapped with a key file', (_kind, makeBackend) => {
  it('are made wrapped: the stored row holds neither key in the clear', async () => {
    const backend = await makeBackend();
    const events: Events = [];
    const store = await backend.open({ keyFile: testKeyFile() }, events);
    const row = await backend.meta();
    expect(events).toEqual(['made']);
    expect(row.private_key).toMatch(/^intctl:wrapped:v1:/);
    expect(row.fingerprint_key).toMatch(/^intctl:wrapped:v1:/);
    expect(JSON.stringify(row)).not.toContain(store.keyPair().privateKey);
    expect(JSON.stringify(row)).not.toContain(await store.fingerprintKey());
  });

  it('open with the same key file again, changing nothing', async () => {
    const backend = await makeBackend();
    const keyFile = testKeyFile();
    const first = await keysOf(await backend.open({ keyFile }));
    const row = await backend.meta();
    const events: Events = [];
    expect(await keysOf(await backend.open({ keyFile }, events))).toEqual(first);
    expect(events).toEqual(['opened']);
    expect(await backend.meta()).toEqual(row);
  });

  it('refuse another key file, naming it, and change nothing', async () => {
    const backend = await makeBackend();
    await backend.open({ keyFile: testKeyFile() });
    const row = await backend.meta();
    const wrong = testKeyFile('/etc/intctl/wrong.key');
    const opening = backend.open({ keyFile: wrong });
    await expect(opening).rejects.toBeInstanceOf(EnvironmentKeyError);
    await expect(opening).rejects.toThrow(/^the key file \/etc\/intctl\/wrong\.key does not open the keys of environment prod in .+: they were wrapped with another key file \(or altered\); nothing was changed/);
    expect(await backend.meta()).toEqual(row);
  });

  it('are rewrapped with a new key file when started with the previous one too', async () => {
    const backend = await makeBackend();
    const [previous, next] = [testKeyFile('/keys/previous'), testKeyFile('/keys/next')];
    const keys = await keysOf(await backend.open({ keyFile: previous }));
    const events: Events = [];
    expect(await keysOf(await backend.open({ keyFile: next, previousKeyFile: previous }, events))).toEqual(keys);
    expect(events).toEqual(['rewrapped']);
    expect(await keysOf(await backend.open({ keyFile: next, previousKeyFile: previous }))).toEqual(keys);
    await expect(backend.open({ keyFile: previous })).rejects.toThrow('the key file /keys/previous does not open the keys');
    await expect(backend.open({ keyFile: testKeyFile('/keys/third'), previousKeyFile: previous })).rejects.toThrow(
      'neither the key file /keys/third nor the previous key file /keys/previous opens the keys of environment prod',
    );
  });
});

describe('keys kept in the clear by an earlier intctl', () => {
  it('SQLite: are wrapped at the first open with a key file, once; the embedded driver without one then refuses the file, saying what is missing', async () => {
    const backend = await sqlite();
    const clear = await backend.open({});
    const keys = await keysOf(clear);
    expect((await backend.meta()).private_key).toBe(clear.keyPair().privateKey);
    await clear.close();
    const keyFile = testKeyFile();
    const events: Events = [];
    expect(await keysOf(await backend.open({ keyFile }, events))).toEqual(keys);
    expect(await keysOf(await backend.open({ keyFile }, events))).toEqual(keys);
    expect(events).toEqual(['wrapped', 'opened']);
    expect((await backend.meta()).private_key).toMatch(/^intctl:wrapped:v1:/);
    await expect(backend.open({})).rejects.toThrow(/^the keys of environment prod in .+prod\.db are wrapped with a key file, and no key file was given: only an environment server given that key file \(intctl environment serve --key-file, or INTCTL_ENVIRONMENT_KEY_FILE\) opens this store$/);
  });

  it('PostgreSQL: replicas starting together with the key file wrap them once, and all serve the same keys', async () => {
    const schema = uniqueSchema();
    cleanups.push(() => dropSchema(schema));
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    cleanups.push(() => client.end());
    // A schema as intctl made it before key files: the keys in the clear.
    const made = await openPostgresStore({ name: 'prod', connectionString: DATABASE_URL, schema, poolSize: 1, keyFile: testKeyFile() });
    const keys = await keysOf(made);
    await made.close();
    await client.query(`UPDATE "${schema}".meta SET private_key = $1, fingerprint_key = $2`, [(keys as { privateKey: string }).privateKey, (keys as { fingerprintKey: string }).fingerprintKey]);

    const keyFile = testKeyFile();
    const events: Events = [];
    const replicas = await Promise.all(
      [1, 2, 3, 4].map(() => openPostgresStore({ name: 'prod', connectionString: DATABASE_URL, schema, poolSize: 1, keyFile, onKeys: (e) => void events.push(e) })),
    );
    for (const replica of replicas) cleanups.push(() => replica.close());
    for (const replica of replicas) expect(await keysOf(replica)).toEqual(keys);
    expect(events.sort()).toEqual(['opened', 'opened', 'opened', 'wrapped']);
    const row = (await client.query(`SELECT private_key, fingerprint_key FROM "${schema}".meta`)).rows[0] as Record<string, string>;
    expect(row.private_key).toMatch(/^intctl:wrapped:v1:/);
    expect(row.fingerprint_key).toMatch(/^intctl:wrapped:v1:/);
  });

  it('PostgreSQL: of two replicas racing with different key files, one wraps the keys and the other is refused', async () => {
    const schema = uniqueSchema();
    cleanups.push(() => dropSchema(schema));
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    cleanups.push(() => client.end());
    const made = await openPostgresStore({ name: 'prod', connectionString: DATABASE_URL, schema, poolSize: 1, keyFile: testKeyFile() });
    await client.query(`UPDATE "${schema}".meta SET private_key = $1, fingerprint_key = $2`, [made.keyPair().privateKey, await made.fingerprintKey()]);
    await made.close();

    const results = await Promise.allSettled(
      [testKeyFile('/keys/a'), testKeyFile('/keys/b')].map((keyFile) => openPostgresStore({ name: 'prod', connectionString: DATABASE_URL, schema, poolSize: 1, keyFile })),
    );
    for (const result of results) if (result.status === 'fulfilled') cleanups.push(() => result.value.close());
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(EnvironmentKeyError);
  });
});
