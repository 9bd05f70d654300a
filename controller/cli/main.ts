import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.ts';
import { registerValidate } from './commands/validate.ts';
import { registerEnvInit } from './commands/env-init.ts';
import { registerSeal } from './commands/seal.ts';
import { registerPlanApply } from './commands/plan-apply.ts';
import { registerGet } from './commands/get.ts';
import { registerDemo } from './commands/demo.ts';
import { registerController } from './commands/controller.ts';
import { registerEnvironmentServe } from './commands/environment-serve.ts';
import { registerInvoke } from './commands/invoke.ts';
import { ConfigError } from '../config/controller-config.ts';
import { EXIT, UsageError, exitCodeHelp, processIo, type CliIo } from './io.ts';
import { helpConfiguration } from './options.ts';

/**
 * Runs the CLI and returns its exit code, one of EXIT. Every mistake in how a command was called,
 * whether commander or the command finds it, is printed the same way: `intctl: <message>` and a
 * line naming the command's help, exit 64.
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('intctl')
    .description('GitOps for API integrations and the connections they run with')
    .version('0.1.0')
    .exitOverride()
    // Errors are printed below, in one format; commander's own printing would be a second one.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    .configureHelp(helpConfiguration)
    .addHelpText('after', exitCodeHelp({ ok: true, failed: true, changes: true, usage: true }));
  const setExit = (code: number): void => {
    exitCode = code;
  };
  registerValidate(program, io, setExit);
  registerGenerate(program, io, setExit);
  registerEnvInit(program, io, setExit);
  registerSeal(program, io, setExit);
  registerPlanApply(program, io, setExit);
  registerGet(program, io, setExit);
  registerDemo(program, io, setExit);
  registerEnvironmentServe(program, io, setExit);
  registerInvoke(program, io, setExit);
  registerController(program, io, setExit);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // Help printed because no command was given: it says everything already.
      if (error.code !== 'commander.help') usageError(io, error.message.replace(/^error: /, ''), program, argv);
      return EXIT.usage;
    }
    // A mistake in how intctl was called or configured: each says what to change.
    if (error instanceof UsageError || error instanceof ConfigError) {
      usageError(io, error.message, program, argv);
      return EXIT.usage;
    }
    io.stderr(`intctl: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

function usageError(io: CliIo, message: string, program: Command, argv: string[]): void {
  io.stderr(`intctl: ${message}\n(run ${commandPath(program, argv)} --help for usage)\n`);
}

/** `intctl env init` for `env init dev --repo .`: the deepest command the arguments name. */
function commandPath(program: Command, argv: string[]): string {
  const names = [program.name()];
  let command = program;
  for (const arg of argv) {
    const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    names.push(sub.name());
    command = sub;
  }
  return names.join(' ');
}
