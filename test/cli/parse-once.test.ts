import { cp, mkdtemp, rm } from 'node:fs/promises';
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
});
