import { Argument, type Command } from 'commander';
import { commandTree } from '../completion/command-tree.ts';
import { renderCompletion, SHELLS, type Shell } from '../completion/render-completion.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';
import { examplesHelp } from '../options.ts';

/**
 * `intctl completion bash|zsh|fish`: the shell's completion script, written from the commands
 * themselves (every command loaded, its subcommands and options read from commander), so that
 * it can never list an option a command does not have.
 */
export function registerCompletion(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('completion')
    .description('print the shell completion script of bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', examplesHelp([
      ['source <(intctl completion bash)', 'complete intctl in this bash session (add the line to ~/.bashrc to keep it)'],
      ['intctl completion zsh > "${fpath[1]}/_intctl"', 'install it for zsh'],
      ['intctl completion fish > ~/.config/fish/completions/intctl.fish', 'install it for fish'],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: true, usage: true }))
    .action(async (shell: Shell) => {
      // Every other command onto this program, once each (plan and apply share a module).
      const { COMMANDS } = await import('../main.ts');
      const registers = new Set(await Promise.all(COMMANDS.filter((c) => c.name !== 'completion').map((c) => c.load())));
      for (const register of registers) register(program, io, () => undefined);
      const commands = [...program.commands].sort((a, b) => COMMANDS.findIndex((c) => c.name === a.name()) - COMMANDS.findIndex((c) => c.name === b.name()));
      (program.commands as Command[]).splice(0, program.commands.length, ...commands);
      io.stdout(renderCompletion(shell, commandTree(program)));
      setExit(EXIT.ok);
    });
}
