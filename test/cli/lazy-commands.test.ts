import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandOf, main } from '../../controller/cli/main.ts';
import type { CliIo } from '../../controller/cli/io.ts';

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, cwd: process.cwd() };

describe('the lazily loaded commands', () => {
  it('lists every command its modules register, by the description each gives itself', async () => {
    const program = new Command('intctl');
    const loaders = [...new Set(await Promise.all(COMMANDS.map((c) => c.load())))];
    for (const register of loaders) register(program, io, () => undefined);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    for (const entry of COMMANDS) expect(program.commands.find((c) => c.name() === entry.name)?.description(), entry.name).toBe(entry.summary);
  });

  it('loads the one command the arguments name, also through `help <command>`', () => {
    expect(commandOf(['plan', '--env', 'dev'])?.name).toBe('plan');
    expect(commandOf(['help', 'seal'])?.name).toBe('seal');
    expect(commandOf(['env', 'init', 'dev'])?.name).toBe('env');
    expect(commandOf(['--version'])).toBeUndefined();
    expect(commandOf(['valdate'])).toBeUndefined();
  });

  it('still suggests the closest command for a typo, with none of them loaded', async () => {
    const errors: string[] = [];
    const code = await main(['valdate'], { ...io, stderr: (text) => void errors.push(text) });
    expect(code).toBe(64);
    expect(errors.join('')).toContain('Did you mean validate?');
  });
});
