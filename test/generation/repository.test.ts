import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { gitRepository } from '../../controller/source/git-repository.ts';
import { validateSelections } from '../../controller/validate/validate-selections.ts';
import { loadManifests } from '../../controller/load/load-manifests.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURES } from './support.ts';

const BASE = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, policy: { plainSecrets: true }, dependencies: { integration-utils: 3.1.0 } }
---
apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: shop-api }
spec:
  system: openapi
  auth: { type: none }
  environments: { dev: { endpoint: "https://shop.example.com" } }
---
apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: sap }
spec:
  system: odata
  auth: { type: basic }
  environments: { dev: { endpoint: "https://sap.example.com", username: u, password: { plain: p } } }
`;

const SHOP = `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: shop }
spec:
  system: openapi
  source: { path: specs/shop.yaml }
  entities:
    - name: products
      operations: [Get, Search, Update]
      attributes: [name, price]
    - name: orders
  functions: [discontinueProduct]
  connection: shop-api
  environments: [dev]
`;

const SALES = `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: sales }
spec:
  system: odata
  source: { path: specs/sales.edmx }
  entities:
    - name: A_SalesOrder
      operations: [Get, Delete]
      attributes: [SalesOrder, Nope]
    - name: A_SalesOrders
  functions: [ReleaseSalesOrder, CloseSalesOrder]
  connection: sap
  environments: [dev]
`;

let repo: string;
const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
const write = (path: string, text: string): void => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'intctl-gen-'));
  mkdirSync(join(repo, 'specs'));
  copyFileSync(join(FIXTURES, 'shop-openapi.yaml'), join(repo, 'specs/shop.yaml'));
  copyFileSync(join(FIXTURES, 'sales-v2.edmx'), join(repo, 'specs/sales.edmx'));
  write('base.yaml', BASE);
  write('shop.yaml', SHOP);
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'first');
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('validateSelections', () => {
  it('points at the manifest line of each entity, attribute, operation and function the specification does not offer', async () => {
    write('sales.yaml', SALES);
    const reader = fsRepository(repo);
    const loaded = await loadManifests(reader);
    expect(loaded.problems).toEqual([]);
    const problems = await validateSelections(loaded.set, reader);
    expect(problems.map((p) => [p.file, p.line, p.column, p.reason, p.field])).toEqual([
      ['sales.yaml', 9, 25, 'UnsupportedOperation', 'spec.entities[0].operations[1]'],
      ['sales.yaml', 10, 32, 'UnknownAttribute', 'spec.entities[0].attributes[1]'],
      ['sales.yaml', 11, 13, 'UnknownEntity', 'spec.entities[1].name'],
      ['sales.yaml', 12, 34, 'UnknownFunction', 'spec.functions[1]'],
    ]);
    expect(problems[0]!.message).toBe('A_SalesOrder does not support Delete; the specification offers Get, Search, Count, Create, Update');
    expect(problems[2]!.message).toBe('entity A_SalesOrders is not in the specification; did you mean A_SalesOrder?');
  });

  it('reports a specification the generator cannot read at spec.source.path', async () => {
    write('specs/sales.edmx', '<edmx:Edmx Version="1.0"><edmx:DataServices>');
    write('sales.yaml', SALES.replace(/ {2}entities:[\s\S]*?connection/, '  connection'));
    const reader = fsRepository(repo);
    const loaded = await loadManifests(reader);
    expect(loaded.problems).toEqual([]);
    const problems = await validateSelections(loaded.set, reader);
    expect(problems).toEqual([expect.objectContaining({ file: 'sales.yaml', line: 6, column: 19, reason: 'SpecificationInvalid', field: 'spec.source.path', message: expect.stringMatching(/^specs\/sales.edmx: the document is not well-formed XML at line 1/) })]);
  });

  it('runs in intctl validate, which then fails with the manifest line', async () => {
    write('sales.yaml', SALES);
    const run = await runCli(['validate', repo]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('sales.yaml:11:13: error: spec.entities[1].name entity A_SalesOrders is not in the specification; did you mean A_SalesOrder? (Integration sales)');
  });
});

describe('gitRepository', () => {
  it('reads the commit, not the work tree', async () => {
    write('shop.yaml', SHOP.replace('name: shop', 'name: changed'));
    const reader = await gitRepository(repo, 'HEAD');
    expect(new TextDecoder().decode(await reader.read('shop.yaml'))).toBe(SHOP);
    expect((await reader.listYamlFiles()).map((e) => e.path)).toEqual(['base.yaml', 'shop.yaml', 'specs/shop.yaml']);
  });

  it.each([
    ['specs/shop.yaml', 'file'],
    ['specs', 'directory'],
    ['specs/none.yaml', 'missing'],
    ['inside-link.yaml', 'file'],
    ['outside-link.yaml', 'outside'],
    ['linked-dir/shop.yaml', 'file'],
  ])('checkPath(%s) is %s, following symbolic links within the commit', async (path, expected) => {
    symlinkSync('specs/shop.yaml', join(repo, 'inside-link.yaml'));
    symlinkSync('../../etc/passwd', join(repo, 'outside-link.yaml'));
    symlinkSync('specs', join(repo, 'linked-dir'));
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'links');
    const reader = await gitRepository(repo, 'HEAD');
    expect(await reader.checkPath(path)).toBe(expected);
  });

  it('lists every file by its name as committed, spaces, tabs and non-ASCII letters included, with its blob id and size', async () => {
    const names = ['with space.yaml', 'tab\there.yaml', 'café/ünïcode-名前.yaml', 'a b/c\td/ü.yml'];
    for (const name of names) write(name, `# ${name}\n`);
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'names');
    const reader = await gitRepository(repo, 'HEAD');
    const expected = ['base.yaml', 'shop.yaml', 'specs/sales.edmx', 'specs/shop.yaml', ...names].map((path) => [path, git('rev-parse', `HEAD:${path}`).trim()]);
    expect([...reader.files()].sort()).toEqual(expected.sort());
    const listed = await reader.listYamlFiles();
    expect(listed.map((e) => e.path)).toEqual(['a b/c\td/ü.yml', 'base.yaml', 'café/ünïcode-名前.yaml', 'shop.yaml', 'specs/shop.yaml', 'tab\there.yaml', 'with space.yaml']);
    expect(listed.find((e) => e.path === 'café/ünïcode-名前.yaml')!.size).toBe(Buffer.byteLength('# café/ünïcode-名前.yaml\n'));
    expect(new TextDecoder().decode(await reader.read('tab\there.yaml'))).toBe('# tab\there.yaml\n');
    expect(await reader.checkPath('café')).toBe('directory');
  });

  it('refuses a ref that is not a commit', async () => {
    await expect(gitRepository(repo, 'no-such-branch')).rejects.toThrow();
  });
});

describe('intctl generate', () => {
  it('writes the artifact for a person to read, the same bytes every time', async () => {
    const first = await runCli(['generate', 'shop', '--repo', repo, '--out-dir', join(repo, 'out1')]);
    const second = await runCli(['generate', 'shop', '--repo', repo, '--out-dir', join(repo, 'out2')]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(first.stdout).toMatch(/^integration shop: OpenAPI 3\.0\.3 from specs\/shop\.yaml, openapi generator \d+\.\d+\.\d+, for environment dev\nhash sha256:[0-9a-f]{64}\nrequires integration-utils \^3\.0\.0, common-shared-services \^1\.0\.0, integration-manager \^3\.0\.0\n/);
    for (const file of ['artifact.json', 'catalog.json', 'index.d.ts']) {
      expect(readFileSync(join(repo, 'out2', file), 'utf8')).toBe(readFileSync(join(repo, 'out1', file), 'utf8'));
    }
    const catalog = JSON.parse(readFileSync(join(repo, 'out1', 'catalog.json'), 'utf8')) as { actions: Array<{ name: string }> };
    expect(catalog.actions.map((a) => a.name)).toEqual(['DeleteOrder', 'DiscontinueProduct', 'GetOrder', 'GetProduct', 'SearchOrders', 'SearchProducts', 'UpdateProduct']);
  });

  it('shows the catalog diff against another commit, breaking changes first', async () => {
    write('shop.yaml', SHOP.replace('operations: [Get, Search, Update]', 'operations: [Get, Search, Count]').replace('attributes: [name, price]', 'attributes: [price]'));
    const run = await runCli(['generate', 'shop', '--repo', repo, '--diff', 'HEAD']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('shop: 4 breaking, 1 compatible changes since HEAD');
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'BREAKING OutputFieldRemoved GetProduct:',
      'BREAKING TypeNarrowed SearchProducts:',
      'BREAKING OutputFieldRemoved SearchProducts:',
      'BREAKING ActionRemoved action',
      'compatible ActionAdded action',
    ]);
    expect(lines[2]).toContain('input orderBy[].attribute no longer takes value "name"');
  });

  it('fails with the manifest line when the selection is wrong', async () => {
    write('shop.yaml', SHOP.replace('- name: orders', '- name: order'));
    const run = await runCli(['generate', 'shop', '--repo', repo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('shop.yaml:11:13: error: spec.entities[1].name entity order is not in the specification; did you mean orders? (Integration shop)\n');
  });

  it('names the integrations there are when asked for one that is not', async () => {
    const run = await runCli(['generate', 'nope', '--repo', repo]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('integration nope is not defined in the repository (defined: shop)');
  });
});
