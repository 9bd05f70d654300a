import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let work: string;
let bash: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-completion-'));
  const run = await runCli(['completion', 'bash'], work);
  expect(run.code).toBe(0);
  bash = run.stdout;
  await writeFile(join(work, 'intctl.bash'), bash);
  await writeFile(join(work, 'controller.yaml'), '');
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** What bash offers after the words typed, the last one being completed, with the script sourced. */
function complete(...words: string[]): string[] {
  const script = `source ./intctl.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _intctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { cwd: work, encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}

describe('intctl completion', () => {
  it('prints a bash script bash accepts (bash -n)', () => {
    expect(() => execFileSync('bash', ['-n', join(work, 'intctl.bash')])).not.toThrow();
    expect(bash).toContain('complete -F _intctl intctl\n');
  });

  it('completes commands, subcommands, the options of the command typed and the values of -o', () => {
    expect(complete('intctl', 'st')).toEqual(['status']);
    expect(complete('intctl', 'environment', '')).toEqual(['serve', 'keygen', '-h', '--help']);
    expect(complete('intctl', 'status', '--repo', 'x', '--wa')).toEqual(['--watch']);
    expect(complete('intctl', 'reconcile', '--')).toEqual(expect.arrayContaining(['--env', '--server', '--token-file', '--wait', '--timeout']));
    expect(complete('intctl', 'get', '-o', '')).toEqual(['table', 'json', 'yaml']);
    // An option that takes a path completes file names.
    expect(complete('intctl', 'controller', '--config', 'contr')).toEqual(['controller.yaml']);
  });

  it('prints zsh and fish scripts from the same commands', async () => {
    const zsh = await runCli(['completion', 'zsh'], work);
    expect(zsh.stdout.startsWith('#compdef intctl\n')).toBe(true);
    expect(zsh.stdout).toContain(bash.slice(bash.indexOf('_intctl() {')));
    const fish = await runCli(['completion', 'fish'], work);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c intctl -n '__fish_use_subcommand' -a 'status' -d 'show every environment in promotion order");
    expect(fish.stdout).toMatch(/complete -c intctl -n '__fish_seen_subcommand_from status; and not __fish_seen_subcommand_from [^']*' -s w -l watch -d /);
    expect(fish.stdout).toContain("-s o -l output -x -a 'table json yaml'");
  });

  it('refuses a shell it does not know, with exit 64', async () => {
    const run = await runCli(['completion', 'tcsh'], work);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe("intctl: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n(run intctl completion --help for usage)\n");
  });
});
