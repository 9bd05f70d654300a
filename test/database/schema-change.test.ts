import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { serveEnvironment, type ServedEnvironment } from '../environment-server/support/serve-environment.ts';
import { runCli } from '../helpers/cli.ts';
import { introspect, introspectAndApply, invoke, output, TOKEN_VARIABLE, writeDatabaseRepo, type DatabaseRepo } from './support/database-repo.ts';

const schema = uniqueSchema();
let client: pg.Client;
let served: ServedEnvironment;
let work: string;
let shop: DatabaseRepo;

const plan = (r: DatabaseRepo) => runCli(['plan', '--repo', r.repo, '--env', 'dev', '--state-dir', r.state]);
const apply = (r: DatabaseRepo) => runCli(['apply', '--repo', r.repo, '--env', 'dev', '--state-dir', r.state]);

beforeAll(async () => {
  client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.products (id integer PRIMARY KEY, name text NOT NULL, legacy_code text, price numeric(10,2)); INSERT INTO ${schema}.products VALUES (1, 'Pen', 'P-1', 1.50)`);
  served = await serveEnvironment({ name: 'dev' });
  work = await mkdtemp(join(tmpdir(), 'intctl-pg-change-'));
  shop = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: 'trusted', schema, allowBreaking: false });
  await introspectAndApply(shop);
}, 120_000);
afterAll(async () => {
  delete process.env[TOKEN_VARIABLE];
  await served?.close();
  await dropSchema(schema);
  await client?.end();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a schema change reaches the repository as a snapshot diff, and the plan flags what breaks', () => {
  it('a dropped column and a narrowed type: introspect shows the file differs, the plan flags both as breaking, allowBreaking: false blocks the apply, allowing it republishes', async () => {
    expect(await output(served, 'GetProduct', { id: 1 })).toEqual({ id: 1, name: 'Pen', legacy_code: 'P-1', price: '1.50' });
    await client.query(`ALTER TABLE ${schema}.products DROP COLUMN legacy_code; ALTER TABLE ${schema}.products ALTER COLUMN price SET NOT NULL`);
    const looked = await introspect(shop);
    expect(looked.code).toBe(0);
    expect(looked.stdout).toContain('  specs/shop.schema.json: differs');
    const before = await readFile(shop.snapshotPath, 'utf8');
    expect((await introspect(shop, '--write')).code).toBe(0);
    const after = await readFile(shop.snapshotPath, 'utf8');
    expect(before).toContain('"name": "legacy_code"');
    expect(after).not.toContain('legacy_code');

    const planned = await plan(shop);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('BREAKING');
    expect(planned.stdout).toContain('  shop: GetProduct: output field legacy_code was removed\n');
    expect(planned.stdout).toContain('  shop: CreateProduct: input record.price became required\n');
    expect(planned.stdout).toContain('  shop: UpdateProduct: input record.price no longer takes null\n');
    expect(planned.stdout).toContain('Blocked (BreakingChangeRefused): policy.allowBreaking is false');
    const blocked = await apply(shop);
    expect(blocked.code).toBe(1);
    expect(await invoke(served, 'GetProduct', { id: 1 })).toEqual({
      status: 502,
      body: { error: 'ActionFailed', reason: 'UpstreamFailed', message: `GetProduct: a column of ${schema}.products does not exist in the postgresql database test at 127.0.0.1:5432 (column "legacy_code" does not exist); the database changed since the schema snapshot: run intctl introspect` },
    });
    const published = (await served.driver.observe()).integrations[0]!.catalog as { definitions: Record<string, { properties: object }> };
    expect(Object.keys(published.definitions.Product!.properties)).toContain('legacy_code');

    const allowing = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: 'trusted', schema, allowBreaking: true });
    await mkdir(dirname(allowing.snapshotPath), { recursive: true });
    await writeFile(allowing.snapshotPath, after);
    const applied = await apply(allowing);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const republished = (await served.driver.observe()).integrations[0]!.catalog as { definitions: Record<string, { properties: object }> };
    expect(Object.keys(republished.definitions.Product!.properties)).not.toContain('legacy_code');
    expect(await output(served, 'GetProduct', { id: 1 })).toEqual({ id: 1, name: 'Pen', price: '1.50' });
  });

  it('a table selected that is not in the snapshot, and a snapshot edited into nonsense, are validation errors naming the manifest line and the place in the file', async () => {
    const bad = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: 'trusted', schema, name: 'bad' });
    await mkdir(dirname(bad.snapshotPath), { recursive: true });
    await writeFile(bad.snapshotPath, await readFile(shop.snapshotPath, 'utf8'));
    const manifest = join(bad.repo, 'integrations', 'shop.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('connection: shop-db', 'entities:\n    - name: prodcts\nconnection: shop-db').replace(/\nconnection/, '\n  connection'));
    const unknown = await runCli(['validate', '--repo', bad.repo]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/integrations\/shop\.yaml:\d+:\d+: error: spec\.entities\[0\]\.name entity prodcts is not in the specification; did you mean products\? \(Integration shop\)/);

    const snapshot = JSON.parse(await readFile(bad.snapshotPath, 'utf8')) as { tables: Array<{ columns: Array<Record<string, unknown>>; primaryKey: string[] }> };
    snapshot.tables[0]!.columns[1]!.nullable = 'maybe';
    snapshot.tables[0]!.primaryKey = ['ID'];
    await writeFile(bad.snapshotPath, JSON.stringify(snapshot));
    const nonsense = await runCli(['validate', '--repo', bad.repo]);
    expect(nonsense.code).toBe(1);
    expect(nonsense.stdout).toContain('error: spec.source.path specs/shop.schema.json at /tables/0/columns/1/nullable: must be true or false (Integration shop)');
    expect(nonsense.stdout).toContain('specs/shop.schema.json at /tables/0/primaryKey/0: column ID is not a column of the table (Integration shop)');
    const refused = await apply(bad);
    expect(refused.code).toBe(1);
  });

  it('introspect names a schema that does not exist and a role the database does not know; nothing is written, no password shown', async () => {
    const missing = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: 'trusted', schema: 'no_such_schema', name: 'missing' });
    const absent = await introspect(missing, '--write');
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/^intctl: introspect shop: schema no_such_schema does not exist in the database \(schemas there: .*public.*\); set spec\.source\.introspect\.schemas; nothing written\n$/);
    expect(existsSync(missing.snapshotPath)).toBe(false);

    const stranger = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test', username: 'no_such_role', password: 'secret-pw-123', schema, name: 'stranger' });
    const refused = await introspect(stranger, '--write');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('intctl: introspect shop: the postgresql database test at 127.0.0.1:5432 refused the credentials of user no_such_role; check the connection\'s username and password; nothing written\n');
    expect(refused.stderr + refused.stdout).not.toContain('secret-pw-123');
    expect(existsSync(stranger.snapshotPath)).toBe(false);

    // The test server has no TLS: sslmode=require in the endpoint is honoured, so the connection is refused by name.
    const tls = await writeDatabaseRepo(work, served, { system: 'postgresql', endpoint: 'postgresql://127.0.0.1:5432/test?sslmode=require', username: 'postgres', password: 'trusted', schema, name: 'tls' });
    const noTls = await introspect(tls, '--write');
    expect(noTls.code).toBe(1);
    expect(noTls.stderr).toBe('intctl: introspect shop: the postgresql database test at 127.0.0.1:5432 failed: The server does not support SSL connections; nothing written\n');
  });
});
