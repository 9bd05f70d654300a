import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the example repository', () => {
  it('is valid, with an integration of each system and a connection of each auth type', async () => {
    const run = await runCli(['validate', '--repo', 'examples', '-o', 'json'], ROOT);
    const result = JSON.parse(run.stdout);
    expect(result.problems).toEqual([]);
    expect(run.code).toBe(0);
    expect(result.counts).toEqual({ integrations: 5, connections: 8, environments: 3 });
  });

  it('is valid through the installed bin, as a newcomer runs it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'intctl.js'), 'validate', '--repo', 'examples'], { cwd: ROOT });
    expect(stdout).toBe('examples: valid: 5 integrations, 8 connections, 3 environments\n');
  });
});
