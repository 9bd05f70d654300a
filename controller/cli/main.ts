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
import { EXIT, UsageError, processIo, type CliIo } from './io.ts';

/** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 usage error. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('intctl')
    .description('GitOps for API integrations and the connections they run with')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run intctl --help for usage)');
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
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A mistake in how intctl was called or configured: each says what to change.
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`intctl: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`intctl: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}
