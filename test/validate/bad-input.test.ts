import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'bad-input');
const cases = (await readdir(FIXTURES)).filter((name) => !name.startsWith('_')).sort();
const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A repository made of the valid base with one case's files laid over it. */
async function repositoryFor(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `intctl-${name}-`));
  temps.push(dir);
  await cp(join(FIXTURES, '_base'), dir, { recursive: true, verbatimSymlinks: true });
  await cp(join(FIXTURES, name), dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !/(expected\.txt|options\.json)$/.test(source),
  });
  return dir;
}

describe('intctl validate on bad input', () => {
  it('accepts the base the cases are built on', async () => {
    const dir = await repositoryFor('_base');
    const run = await runCli(['validate', dir]);
    expect(run.stdout).toContain('valid: 1 integrations, 1 connections, 2 environments');
    expect(run.code).toBe(0);
  });

  it.each(cases)('%s: reports its problem with file, line and field, and exits 1', async (name) => {
    const dir = await repositoryFor(name);
    const expected = (await readFile(join(FIXTURES, name, 'expected.txt'), 'utf8')).trim().split('\n');
    const options = await readFile(join(FIXTURES, name, 'options.json'), 'utf8').then(JSON.parse, () => ({ args: [] }));
    const run = await runCli(['validate', dir, ...options.args]);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, -1)).toEqual(expected);
    expect(lines.at(-1)).toMatch(/^\d+ errors? in \d+ files?$/);
    expect(run.code).toBe(1);
  });

  it('prints the same problems as JSON with -o json', async () => {
    const dir = await repositoryFor('invalid-operation');
    const run = await runCli(['validate', dir, '-o', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      valid: false,
      problems: [
        {
          file: 'integrations/orders.yaml',
          line: 11,
          column: 33,
          severity: 'error',
          reason: 'SchemaViolation',
          field: 'spec.entities[0].operations[2]',
          message: 'must be one of Get, Search, Count, Create, Update, Delete',
          object: { kind: 'Integration', name: 'orders' },
        },
      ],
    });
  });
});
