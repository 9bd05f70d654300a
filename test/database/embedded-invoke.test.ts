import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from '../environment-server/support/manifest-repo.ts';
import { DATABASE_URL, dropSchema, uniqueSchema } from '../environment-server/support/postgres.ts';
import { runCli } from '../helpers/cli.ts';

const schema = uniqueSchema();
let client: pg.Client;
let work: string;
let repo: string;
let state: string;

const cli = (...args: string[]) => runCli([...args, '--repo', repo, '--state-dir', state]);

beforeAll(async () => {
  client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.notes (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL); INSERT INTO ${schema}.notes (body) VALUES ('first'), ('second')`);
  work = await mkdtemp(join(tmpdir(), 'intctl-pg-embedded-'));
  repo = join(work, 'repo');
  state = join(work, 'state');
  await writeRepo(repo, {
    'environments.yaml': [environmentManifest('local', { driver: 'embedded', policy: { autoApply: true, prune: true, selfHeal: true, plainSecrets: true } })],
    'connections/notes-db.yaml': [connectionManifest('notes-db', { system: 'postgresql', auth: { type: 'basic' }, environments: { local: { endpoint: 'postgresql://127.0.0.1:5432/test', username: 'postgres', password: { plain: 'trusted' } } } })],
    'integrations/notes.yaml': [integrationManifest('notes', { system: 'postgresql', source: { path: 'specs/notes.schema.json', introspect: { schemas: [schema] } }, connection: 'notes-db', environments: ['local'] })],
  });
}, 60_000);
afterAll(async () => {
  await dropSchema(schema);
  await client?.end();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a database integration in an embedded environment, from the command line', () => {
  it('env init, introspect --write, apply, then invoke runs the actions in this process and writes to the table', async () => {
    expect((await cli('env', 'init', 'local')).code).toBe(0);
    const read = await runCli(['introspect', 'notes', '--env', 'local', '--write', '--repo', repo, '--state-dir', state]);
    expect(read.stderr).toBe('');
    expect(read.stdout).toContain('1 tables and views: notes\n');
    const applied = await cli('apply', '--env', 'local');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);

    const searched = await cli('invoke', '--env', 'local', 'notes', 'SearchNotes', '--input', '{"orderBy":[{"attribute":"body","direction":"desc"}]}');
    expect(searched.stderr).toBe('');
    expect(JSON.parse(searched.stdout)).toEqual({ items: [{ id: 2, body: 'second' }, { id: 1, body: 'first' }] });
    const created = await cli('invoke', '--env', 'local', 'notes', 'CreateNote', '--input', '{"record":{"body":"third; DROP TABLE notes"}}');
    expect(JSON.parse(created.stdout)).toEqual({ id: 3, body: 'third; DROP TABLE notes' });
    expect((await client.query(`SELECT body FROM ${schema}.notes WHERE id = 3`)).rows).toEqual([{ body: 'third; DROP TABLE notes' }]);

    const missing = await cli('invoke', '--env', 'local', 'notes', 'GetNote', '--input', '{"id":99}');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`GetNote: no row of ${schema}.notes has id 99`);
    expect(missing.stderr).not.toContain('trusted');
  });
});
