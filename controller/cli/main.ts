import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/controller-config.ts';
import { EXIT, UsageError, exitCodeHelp, processIo, type CliIo } from './io.ts';
import { examplesHelp, helpConfiguration } from './options.ts';
import { printable } from '../core/printable.ts';

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/** A top-level command: its name and one-line summary for `intctl --help`, and how to load it. */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Register>;
}

/**
 * Every top-level command, in the order `intctl --help` lists them. A command's module (and the
 * libraries it needs) is loaded only when that command runs, so `intctl --version`, `--help` and a
 * small `validate` do not pay for the controller's or the environment server's. The summaries
 * are the commands' own descriptions (test/cli/lazy-commands.test.ts keeps them equal).
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'validate', summary: 'check every manifest in the repository: schema, references, paths and secrets', load: async () => (await import('./commands/validate.ts')).registerValidate },
  { name: 'generate', summary: 'generate the artifact of one integration (action catalog, TypeScript declarations), or diff it against another commit', load: async () => (await import('./commands/generate.ts')).registerGenerate },
  { name: 'env', summary: 'set up and inspect environments', load: async () => (await import('./commands/env-init.ts')).registerEnvInit },
  { name: 'seal', summary: "seal a secret value to an environment's public key; the value is read from standard input", load: async () => (await import('./commands/seal.ts')).registerSeal },
  { name: 'connection', summary: 'manage the credentials of connections: make a key pair and certificate for one', load: async () => (await import('./commands/connection-certificate.ts')).registerConnectionCertificate },
  { name: 'plan', summary: 'show what applying would do to an environment', load: async () => (await import('./commands/plan-apply.ts')).registerPlanApply },
  { name: 'apply', summary: 'apply the plan to an environment, action by action under its lease', load: async () => (await import('./commands/plan-apply.ts')).registerPlanApply },
  { name: 'status', summary: 'show every environment in promotion order: conditions, the commit it is at, pending actions and approvals', load: async () => (await import('./commands/status.ts')).registerStatus },
  { name: 'reconcile', summary: 'ask a running controller to reconcile an environment now, and wait for the outcome', load: async () => (await import('./commands/reconcile.ts')).registerReconcile },
  { name: 'history', summary: 'show what was applied to an environment, when, at which commit and by which trigger, from its action log and the status branch', load: async () => (await import('./commands/history.ts')).registerHistory },
  { name: 'suspend', summary: "print the manifest edit that suspends an environment (spec.suspend: true): Git is the truth, so the change is committed, not made here", load: async () => (await import('./commands/suspend-resume.ts')).registerSuspendResume },
  { name: 'resume', summary: 'print the manifest edit that resumes a suspended environment: Git is the truth, so the change is committed, not made here', load: async () => (await import('./commands/suspend-resume.ts')).registerSuspendResume },
  { name: 'get', summary: 'show what an environment holds: its published integrations, connections or shared dependencies', load: async () => (await import('./commands/get.ts')).registerGet },
  { name: 'demo', summary: 'reconcile the example repository into embedded environments, on a throwaway copy', load: async () => (await import('./commands/demo.ts')).registerDemo },
  { name: 'environment', summary: 'run the environment server', load: loadEnvironmentCommands },
  { name: 'introspect', summary: "fetch an integration's specification from the live system with its connection (OData $metadata, a database schema snapshot), and write it to the file generation reads", load: async () => (await import('./commands/introspect.ts')).registerIntrospect },
  { name: 'invoke', summary: 'run an action of an integration published in an environment, and print its output as JSON', load: async () => (await import('./commands/invoke.ts')).registerInvoke },
  { name: 'completion', summary: 'print the shell completion script of bash, zsh or fish', load: async () => (await import('./commands/completion.ts')).registerCompletion },
  { name: 'controller', summary: 'run the GitOps controller: fetch the tracked branch, reconcile every environment, report status to Git', load: async () => (await import('./commands/controller.ts')).registerController },
];

/** `environment serve` and `environment keygen`, the subcommands of one top-level command. */
async function loadEnvironmentCommands(): Promise<Register> {
  const [serve, keygen] = await Promise.all([import('./commands/environment-serve.ts'), import('./commands/environment-keygen.ts')]);
  return (program, io, setExit) => {
    serve.registerEnvironmentServe(program, io, setExit);
    keygen.registerEnvironmentKeygen(program, io, setExit);
  };
}

/** The command the arguments run (`help <command>` included), or none for `--help`, `--version` and mistakes. */
export function commandOf(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

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
    .option('--no-color', 'no colour, even on a terminal (as NO_COLOR=1 does); colour marks breaking and destructive lines only')
    .addHelpText('after', examplesHelp([
      ['intctl validate', 'check the manifests of the repository the current directory is in'],
      ['intctl plan --env dev', 'what applying would do to dev'],
      ['intctl status --watch', 'every environment, kept on screen'],
      ['intctl <command> --help', "a command's options, examples and exit codes"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: true, failed: true, changes: true, usage: true }));
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // What commands write through: without colour once --no-color is read (before any action runs).
  const commandIo: CliIo = { ...io };
  program.hook('preAction', () => {
    if (program.opts<{ color: boolean }>().color === false && commandIo.terminal) commandIo.terminal = { ...commandIo.terminal, color: false };
  });
  const asked = commandOf(argv);
  if (asked) {
    (await asked.load())(program, commandIo, setExit);
  } else {
    // No command to run: list every command by its summary, for help and for "did you mean".
    for (const entry of COMMANDS) program.command(entry.name).description(entry.summary);
  }

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
    io.stderr(`intctl: ${printable((error as Error).message, { keepLayout: true })}\n`);
    return EXIT.failed;
  }
}

function usageError(io: CliIo, message: string, program: Command, argv: string[]): void {
  io.stderr(`intctl: ${printable(message, { keepLayout: true })}\n(run ${commandPath(program, argv)} --help for usage)\n`);
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
