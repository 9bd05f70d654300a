import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTerminalConfig } from '../../controller/config/read-config.ts';
import { main } from '../../controller/cli/main.ts';
import { runCli } from '../helpers/cli.ts';
import { commitAll, createFixtureRepo } from '../runtime/support/fixture-repo.ts';

let work: string;
let head: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-output-'));
  head = await createFixtureRepo(join(work, 'repo'));
  expect((await cli('apply', '--env', 'dev')).code).toBe(0);
}, 60_000);
afterAll(async () => rm(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  return runCli([...args, '--repo', 'repo', ...(args[0] === 'validate' || args[0] === 'generate' ? [] : ['--state-dir', 'state'])], work);
}

/** The CLI on a terminal that allows colour: what it prints, escape sequences included. */
async function onTerminal(args: string[]): Promise<{ code: number; screen: string }> {
  let screen = '';
  const write = (text: string) => void (screen += text);
  const code = await main(args, { stdout: write, stderr: () => undefined, cwd: work, terminal: { color: true, write } });
  return { code, screen };
}

describe('-o json and -o yaml', () => {
  it.each([
    ['validate', ['validate']],
    ['generate', ['generate', 'crm']],
    ['plan', ['plan', '--env', 'test']],
    ['get integrations', ['get', 'integrations', '--env', 'dev']],
    ['get connections', ['get', 'connections', '--env', 'dev']],
    ['get dependencies', ['get', 'dependencies', '--env', 'dev']],
  ])('print the same data: intctl %s', async (_name, args) => {
    const json = await cli(...args, '-o', 'json');
    const yaml = await cli(...args, '-o', 'yaml');
    expect(yaml.code).toBe(json.code);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    // table is the text for people, under the name the issue gives it.
    expect((await cli(...args, '-o', 'table')).stdout).toBe((await cli(...args)).stdout);
  });

  it('get prints the object model: camelCase keys, whole commits, typed values', async () => {
    const [integration] = JSON.parse((await cli('get', 'integrations', '--env', 'dev', '-o', 'json')).stdout);
    expect(Object.keys(integration)).toEqual(['name', 'system', 'version', 'connection', 'commit', 'publishedAt', 'artifactHash']);
    expect(integration).toMatchObject({ name: 'crm', connection: 'crm-api', commit: head });
    const [connection] = JSON.parse((await cli('get', 'connections', '--env', 'dev', '-o', 'json')).stdout);
    expect(connection).toMatchObject({ name: 'crm-api', authType: 'apiKey', secrets: { apiKey: 'sealed' } });
    expect(JSON.stringify(connection)).not.toContain('dev-only-not-a-real-key');
    const dependencies = JSON.parse((await cli('get', 'dependencies', '--env', 'dev', '-o', 'json')).stdout);
    expect(dependencies[0]).toEqual({ name: 'integration-utils', installed: '3.0.0', pinned: '3.0.0' });
  });
});

// Escape sequences are what these tests look for.
/* eslint-disable no-control-regex */
describe('colour', () => {
  it('marks destructive plan lines on a terminal, and nothing with --no-color', async () => {
    // The integration leaves the repository: dev (prune allowed) would unpublish it.
    await unlink(join(work, 'repo', 'integrations', 'crm.yaml'));
    await commitAll(join(work, 'repo'), 'remove crm');
    const args = ['plan', '--env', 'dev', '--repo', 'repo', '--state-dir', 'state'];
    const coloured = await onTerminal(args);
    expect(coloured.code).toBe(2);
    expect(coloured.screen).toMatch(/\n\u001b\[31m {2}unpublish +crm .*\u001b\[0m\n/);
    // Only those lines: the header and the table's title are plain.
    expect(coloured.screen.match(/\u001b\[31m/g)).toHaveLength(1);
    const plain = await onTerminal([...args, '--no-color']);
    expect(plain.screen).not.toContain('\u001b');
    expect(plain.screen).toBe(coloured.screen.replace(/\u001b\[[0-9;]*m/g, ''));
  });

  it('is off with NO_COLOR set to anything but empty (no-color.org)', () => {
    expect(readTerminalConfig({ NO_COLOR: '1' })).toEqual({ color: false });
    expect(readTerminalConfig({ NO_COLOR: '' })).toEqual({ color: true });
    expect(readTerminalConfig({})).toEqual({ color: true });
  });
});
