import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { deadline } from '../support/time.ts';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from '../environment-server/support/manifest-repo.ts';
import { BOOKSHOP_DIR, BOOKSHOP_USER, startBookshop, type Bookshop } from '../environment-server/support/start-bookshop.ts';

/** The bookshop's $metadata as committed: what generation read before introspect existed. */
const FIXTURE = join(import.meta.dirname, 'fixtures', 'bookshop-catalog.edmx');

let bookshop: Bookshop;
let work: string;
let state: string;
let sealedPassword: string;
let sealedWrongPassword: string;

/** A repository with the bookshop integration bound to a basic-auth connection in the embedded environment dev. */
async function repoWith(name: string, options: { password?: string | Record<string, string>; path?: string; endpoint?: string; files?: Record<string, string>; driver?: 'embedded' | 'http' } = {}): Promise<string> {
  const repo = join(work, name);
  await writeRepo(repo, {
    ...options.files,
    'environments.yaml': [environmentManifest('dev', options.driver === 'http' ? { driver: 'http', url: 'http://127.0.0.1:9/', token: { env: 'INTCTL_UNUSED_TOKEN' } } : { driver: 'embedded' })],
    'connections/bookshop.yaml': [
      connectionManifest('bookshop', {
        system: 'odata',
        auth: { type: 'basic' },
        environments: { dev: { endpoint: options.endpoint ?? bookshop.serviceUrl, username: BOOKSHOP_USER.username, password: typeof options.password === 'object' ? options.password : { sealed: options.password ?? sealedPassword } } },
      }),
    ],
    'integrations/books.yaml': [
      integrationManifest('books', {
        system: 'odata',
        source: { path: options.path ?? 'specs/catalog.edmx' },
        entities: [{ name: 'Books', operations: ['Get', 'Search', 'Count'] }],
        connection: 'bookshop',
        environments: ['dev'],
      }),
    ],
  });
  return repo;
}

const introspect = (repo: string, ...args: string[]) => runCli(['introspect', 'books', '--env', 'dev', '--repo', repo, '--state-dir', state, ...args], work);

async function catalogOf(repo: string): Promise<unknown> {
  const generated = await runCli(['generate', 'books', '--repo', repo, '-o', 'json'], work);
  expect(generated.stderr).toBe('');
  return (JSON.parse(generated.stdout) as { catalog: unknown }).catalog;
}

beforeAll(async () => {
  bookshop = await startBookshop();
  work = await mkdtemp(join(tmpdir(), 'intctl-introspect-'));
  state = join(work, 'state');
  const keys = await repoWith('keys', { password: 'unused' });
  expect((await runCli(['env', 'init', 'dev', '--repo', keys, '--state-dir', state], work)).code).toBe(0);
  const seal = async (value: string): Promise<string> => {
    await writeFile(join(work, 'secret.txt'), value);
    const sealed = await runCli(['seal', '--env', 'dev', '--repo', keys, '--state-dir', state, '--from-file', join(work, 'secret.txt')], work);
    expect(sealed.code, sealed.stderr).toBe(0);
    return sealed.stdout.trim();
  };
  sealedPassword = await seal(BOOKSHOP_USER.password);
  sealedWrongPassword = await seal('not-the-password');
}, deadline(24_000));
afterAll(async () => {
  await bookshop?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('intctl introspect against an OData v4 service of @sap/cds, with basic auth', () => {
  it('without --write prints what it read (entity sets, size, not in the repository yet) and writes nothing', async () => {
    const repo = await repoWith('summary');
    const run = await introspect(repo);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const size = (await readFile(FIXTURE)).length;
    expect(run.stdout).toBe(
      `books: read ${bookshop.serviceUrl}/$metadata with connection bookshop (environment dev)\n` +
        `  ${size} bytes, 1 entity sets: Books\n` +
        `  specs/catalog.edmx: not in the repository yet\n`,
    );
    expect(existsSync(join(repo, 'specs', 'catalog.edmx'))).toBe(false);
  });

  it('--write puts the metadata at spec.source.path; it generates the same catalog as the committed fixture; a second run finds it unchanged', async () => {
    const fetched = await repoWith('fetched');
    const run = await introspect(fetched, '--write');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  wrote specs/catalog.edmx\n');
    const committed = await repoWith('committed', { files: { 'specs/catalog.edmx': await readFile(FIXTURE, 'utf8') } });
    expect(await catalogOf(fetched)).toEqual(await catalogOf(committed));

    const again = await introspect(fetched, '--write');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('  specs/catalog.edmx: unchanged\n  nothing to write\n');
  });

  it('a service that changed since the file was committed shows as differing; --write brings the change into the repository and its catalog', async () => {
    // The same bookshop with one more element on Books, as a new release of the service would have.
    const changed = join(work, 'bookshop-changed');
    await cp(BOOKSHOP_DIR, changed, { recursive: true });
    await symlink(join(import.meta.dirname, '..', '..', 'node_modules'), join(changed, 'node_modules'));
    const schema = join(changed, 'db', 'schema.cds');
    await writeFile(schema, (await readFile(schema, 'utf8')).replace('  price    : Decimal(9, 2);', '  price    : Decimal(9, 2);\n  edition  : Integer;'));
    const released = await startBookshop(changed);
    try {
      const repo = await repoWith('changed', { endpoint: released.serviceUrl, files: { 'specs/catalog.edmx': await readFile(FIXTURE, 'utf8') } });
      const before = await catalogOf(repo);
      const summary = await introspect(repo);
      expect(summary.stderr).toBe('');
      expect(summary.stdout).toContain('  specs/catalog.edmx: differs\n');
      expect(await readFile(join(repo, 'specs', 'catalog.edmx'), 'utf8')).toBe(await readFile(FIXTURE, 'utf8'));

      expect((await introspect(repo, '--write')).stdout).toContain('  specs/catalog.edmx: differs\n  wrote specs/catalog.edmx\n');
      expect(await readFile(join(repo, 'specs', 'catalog.edmx'), 'utf8')).toContain('<Property Name="edition" Type="Edm.Int32"/>');
      const after = await catalogOf(repo);
      expect(JSON.stringify(before)).not.toContain('edition');
      expect(JSON.stringify(after)).toContain('"edition"');
    } finally {
      await released.stop();
    }
  }, deadline(12_000));

  it.each([
    ['a wrong password (401)', () => ({ password: sealedWrongPassword }), [] as string[], /\$metadata answered 401: connection bookshop \(basic\) was refused; check its credentials for this environment; nothing written/],
    ['an address that is not the service (404)', () => ({}), ['--url', '/odata/v4/nothing/$metadata'], /nothing\/\$metadata answered 404 Not Found, not the metadata document; is it the service root \(or --url its \$metadata\)\?; nothing written/],
    ['an answer that is not XML', () => ({}), ['--url', '/odata/v4/catalog/Books'], /catalog\/Books answered application\/json, not XML: it is not an OData \$metadata document; nothing written/],
    ['a service that cannot be reached', () => ({ endpoint: 'http://127.0.0.1:9/odata' }), [], /http:\/\/127\.0\.0\.1:9\/odata\/\$metadata cannot be reached \(connection refused, unknown host or TLS failure\); nothing written/],
  ])('%s: a clear message, exit 1, nothing written, no secret printed', async (_name, options, args, message) => {
    const repo = await repoWith(`bad-${_name.length}`, { ...options(), files: { 'specs/catalog.edmx': 'committed\n' } });
    const url = args[1] === undefined ? [] : ['--url', new URL(args[1], bookshop.serviceUrl).toString()];
    const run = await introspect(repo, '--write', ...url);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(`${run.stdout}${run.stderr}`).not.toContain(BOOKSHOP_USER.password);
    expect(await readFile(join(repo, 'specs', 'catalog.edmx'), 'utf8')).toBe('committed\n');
  });

  it('does not send the connection credentials to another origin given with --url', async () => {
    const repo = await repoWith('origin');
    const run = await introspect(repo, '--url', 'http://127.0.0.2:1/$metadata');
    expect(run.stderr).toContain(`--url http://127.0.0.2:1/$metadata is not on the origin of connection bookshop (${new URL(bookshop.serviceUrl).origin}); its credentials are sent to its own endpoint only`);
    expect(run.code).toBe(1);
  });

  it("refuses to write outside the repository, through ../ or through a symbolic link, before reading the service", async () => {
    const climbing = await repoWith('climbing', { path: '../outside.edmx' });
    const climbed = await introspect(climbing, '--write');
    expect(climbed.stderr).toContain('spec.source.path "../outside.edmx" leaves the repository; introspect writes inside the repository only');
    expect(climbed.code).toBe(64);
    expect(existsSync(join(work, 'outside.edmx'))).toBe(false);

    const linked = await repoWith('linked', { path: 'specs/catalog.edmx' });
    await mkdir(join(work, 'elsewhere'));
    await symlink(join(work, 'elsewhere'), join(linked, 'specs'));
    const run = await introspect(linked, '--write');
    expect(run.stderr).toContain('specs/catalog.edmx leaves the repository through a symbolic link; introspect writes inside the repository only');
    expect(run.code).toBe(64);
    expect(existsSync(join(work, 'elsewhere', 'catalog.edmx'))).toBe(false);
  });

  it('refuses --write when spec.source.path is a URL, printing the URL intact', async () => {
    const url = `${bookshop.serviceUrl}/$metadata`;
    const repo = await repoWith('url', { path: url });
    const run = await introspect(repo, '--write');
    expect(run.stderr).toContain(`spec.source.path ${url} is a URL; specifications are read from files committed to the repository`);
    expect(run.code).toBe(64);

    // validate and generate say the same at the field, the URL as given, and nothing is fetched at plan time.
    const hint = `spec.source.path ${url} is a URL; specifications are read from files committed to the repository, never fetched at plan time. Give a repository path (for instance specs/books.edmx) and fetch the file into it with intctl introspect books --env <environment> --url ${url} --write (Integration books)`;
    const validated = await runCli(['validate', '--repo', repo], work);
    expect(validated.stdout).toContain(`integrations/books.yaml:6:19: error: ${hint}`);
    expect(validated.code).toBe(1);
    const generated = await runCli(['generate', 'books', '--repo', repo], work);
    expect(generated.stderr).toContain(hint.replace(' (Integration books)', ''));
    expect(generated.code).toBe(1);
    for (const printed of [run.stderr, validated.stdout, generated.stderr]) expect(printed).not.toMatch(/http:\/[^/]/);
  });

  it('reads through an http environment when its secrets are variables of this process', async () => {
    const variable = 'INTCTL_TEST_INTROSPECT_BOOKSHOP_PASSWORD';
    const repo = await repoWith('http-env', { driver: 'http', password: { env: variable } });
    const unset = await introspect(repo);
    expect(unset.stderr).toBe(`intctl: connection bookshop, environment dev: secret password: variable ${variable} is not set where intctl introspect runs; nothing read\n`);
    expect(unset.code).toBe(1);
    process.env[variable] = BOOKSHOP_USER.password;
    try {
      const run = await introspect(repo, '--write');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(await readFile(join(repo, 'specs', 'catalog.edmx'))).toEqual(await readFile(FIXTURE));
    } finally {
      delete process.env[variable];
    }
  });

  it('says that a sealed secret of an http environment cannot be opened here yet', async () => {
    const repo = await repoWith('http', { driver: 'http' });
    const run = await introspect(repo);
    expect(run.stderr).toContain('password is sealed to the key of environment dev, which its http server holds; introspect opens sealed secrets only for embedded environments, and reading through an http environment is not supported yet');
    expect(run.code).toBe(64);
  });
});
