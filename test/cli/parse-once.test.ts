import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENERATORS } from '../../controller/generators/registry.ts';
import { runCli } from '../helpers/cli.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

describe('intctl apply parses each specification once', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'intctl-parse-once-'));
    await cp(EXAMPLES, join(work, 'repo'), { recursive: true });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(work, { recursive: true, force: true });
  });

  it('apply --env test, which promotes from dev: validation, the plan of dev its gate asks for, and its own generation share one parse per specification', async () => {
    const parses = { openapi: vi.spyOn(GENERATORS.openapi!, 'parse'), odata: vi.spyOn(GENERATORS.odata!, 'parse') };
    const args = ['--repo', join(work, 'repo'), '--state-dir', join(work, 'state')];
    // dev first, so that test's gate has something to ask: is dev Ready at this commit?
    expect((await runCli(['apply', ...args, '--env', 'dev'])).code).toBe(0);
    parses.openapi.mockClear();
    parses.odata.mockClear();

    const run = await runCli(['apply', ...args, '--env', 'test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // examples/specs: crm-openapi.yaml (OpenAPI), API_SALES_ORDER_SRV.edmx and dataverse-accounts.edmx (OData).
    expect({ openapi: parses.openapi.mock.calls.length, odata: parses.odata.mock.calls.length }).toEqual({ openapi: 1, odata: 2 });
  });

  it('plan and apply with nothing changed since the apply parse no specification; a changed integration parses its own and has its selection checked', async () => {
    const parses = { openapi: vi.spyOn(GENERATORS.openapi!, 'parse'), odata: vi.spyOn(GENERATORS.odata!, 'parse') };
    const repo = join(work, 'repo');
    const args = ['--repo', repo, '--state-dir', join(work, 'state'), '--env', 'dev'];
    expect((await runCli(['apply', ...args])).code).toBe(0);
    parses.openapi.mockClear();
    parses.odata.mockClear();

    expect((await runCli(['plan', ...args])).code).toBe(0);
    expect((await runCli(['apply', ...args])).code).toBe(0);
    expect({ openapi: parses.openapi.mock.calls.length, odata: parses.odata.mock.calls.length }).toEqual({ openapi: 0, odata: 0 });

    // crm selects from crm-openapi.yaml: an entity it does not have is still found, at its line.
    const file = join(repo, 'integrations', 'crm.yaml');
    const text = await readFile(file, 'utf8');
    const broken = text.replace(/- name: (\w+)/, '- name: NoSuchEntity');
    expect(broken).not.toBe(text);
    await writeFile(file, broken);
    const plan = await runCli(['plan', ...args]);
    expect(plan.code).toBe(1);
    expect(plan.stdout + plan.stderr).toMatch(/integrations\/crm\.yaml:\d+:\d+.*NoSuchEntity/);
    expect({ openapi: parses.openapi.mock.calls.length, odata: parses.odata.mock.calls.length }).toEqual({ openapi: 1, odata: 0 });
  });
});
