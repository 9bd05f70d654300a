import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-controller-command-'));
});
afterEach(async () => rm(work, { recursive: true, force: true }));

describe('intctl controller', () => {
  it('refuses an invalid configuration with exit 64, naming each field, before starting anything', async () => {
    await writeFile(join(work, 'controller.yaml'), 'git: { url: https://github.com/acme/integrations.git, branch: main }\nlisten: { port: 70000 }\npoll: { schedule: every minute }\n');
    const run = await runCli(['controller', '--config', 'controller.yaml'], work);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('intctl: invalid controller configuration:');
    expect(run.stderr).toContain('  - listen.port: must be a port number from 0 to 65535, not 70000');
    expect(run.stderr).toContain('  - poll.schedule: is not a cron expression');
    expect(run.stdout).toBe('');
  });

  it('names the file it cannot read', async () => {
    const run = await runCli(['controller', '--config', 'missing.yaml'], work);
    expect([run.code, run.stderr]).toEqual([64, 'intctl: invalid controller configuration:\n  - --config missing.yaml: cannot be read (ENOENT)\n(run intctl controller --help for usage)\n']);
  });
});
