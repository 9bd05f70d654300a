import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS } from '../../controller/config/controller-config.ts';
import { commandTree } from '../../controller/cli/completion/command-tree.ts';
import type { CliIo } from '../../controller/cli/io.ts';
import { COMMANDS } from '../../controller/cli/main.ts';
import { runCli } from '../helpers/cli.ts';

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, cwd: process.cwd() };

/** Every command that runs something (not the groups env and environment), with its mandatory options. */
async function leafCommands(): Promise<Array<{ path: string[]; mandatory: string[] }>> {
  const program = new Command('intctl');
  for (const register of new Set(await Promise.all(COMMANDS.map((c) => c.load())))) register(program, io, () => undefined);
  const find = (path: string[]): Command => path.reduce((command, name) => command.commands.find((c) => c.name() === name)!, program);
  return commandTree(program)
    .filter((node) => node.path.length > 0 && node.subcommands.length === 0)
    .map((node) => ({ path: node.path, mandatory: find(node.path).options.filter((o) => o.mandatory).map((o) => o.long!) }));
}

describe('every --help', () => {
  it('has an Examples section whose examples run the command, and marks the options it cannot run without', async () => {
    const leaves = await leafCommands();
    expect(leaves.length).toBeGreaterThan(15);
    for (const { path, mandatory } of leaves) {
      const help = (await runCli([...path, '--help'])).stdout;
      const name = path.join(' ');
      expect(help, name).toMatch(new RegExp(`\\nExamples:\\n {2}# .+\\n {2}\\$ (\\S+=\\S+ |printf .+\\| )*(source <\\()?intctl ${name}[ )\\n]`));
      for (const flag of mandatory) expect(help, `${name} ${flag}`).toMatch(new RegExp(`\\n {2}${flag} <[a-z-]+> +required: `));
    }
  });

  it('of intctl itself has examples too', async () => {
    expect((await runCli(['--help'])).stdout).toContain('\nExamples:\n  # check the manifests of the repository the current directory is in\n  $ intctl validate\n');
  });

  it('of the controller lists every variable it reads', async () => {
    const help = (await runCli(['controller', '--help'])).stdout;
    for (const variable of ['INTCTL_CONFIG', ...Object.values(CONFIG_FIELDS).map((f) => f.env)]) expect(help, variable).toMatch(new RegExp(`\\n {2}${variable} +\\S`));
  });

  it('of environment serve lists every variable its configuration reads', async () => {
    const help = (await runCli(['environment', 'serve', '--help'])).stdout;
    const config = join(import.meta.dirname, '..', '..', 'controller', 'config');
    const source = await readFile(join(config, 'read-config.ts'), 'utf8');
    const start = source.indexOf('export async function readEnvironmentServerConfig');
    const server = source.slice(start, source.indexOf('\nexport ', start + 1));
    const named = [...server.matchAll(/'(INTCTL_[A-Z_]+)'|env\.(INTCTL_[A-Z_]+)/g)].map((m) => m[1] ?? m[2]!);
    const keys = [...(await readFile(join(config, 'key-file.ts'), 'utf8')).matchAll(/'(INTCTL_[A-Z_]+)'/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    for (const variable of new Set([...named, ...keys])) expect(help, variable).toMatch(new RegExp(`\\n {2}${variable} +\\S`));
  });
});
