import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { EmbeddedEnvironment } from '../../environments/embedded/embedded-environment.ts';
import { EXIT, exitCodeHelp, type CliIo } from '../io.ts';
import { examplesHelp, repoOption, stateDirOption } from '../options.ts';
import { openEnvironment, repositoryRoot, requireEnvironment, workspaceConfig } from '../workspace.ts';

interface EnvInitOptions {
  repo?: string;
  stateDir?: string;
}

/**
 * `intctl env init <name>`: creates the store of an Environment defined in the repository, with
 * its key pair and fingerprint key, and prints where it is and its public key (what `intctl seal`
 * encrypts to). Running it again changes nothing: an existing environment keeps its keys.
 */
export function registerEnvInit(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const env = program.commands.find((c) => c.name() === 'env') ?? program.command('env').description('set up and inspect environments');
  env
    .command('init')
    .description("create an environment's store and keys (idempotent), and print its public key")
    .argument('<name>', 'the Environment, as named in the repository')
    .addOption(repoOption())
    .addOption(stateDirOption())
    .addHelpText('after', examplesHelp([
      ["intctl env init dev", "create dev's store and key pair, and print its public key"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the environment exists, created now or before', failed: 'its store or keys cannot be made (an http environment without its token, an environment server that cannot be reached)', usage: true }))
    .action(async (name: string, options: EnvInitOptions) => {
      const root = await repositoryRoot(io, options.repo);
      const config = await workspaceConfig(io, root, options.stateDir);
      const environment = await requireEnvironment(fsRepository(root), name);
      const driver = await openEnvironment(environment, config);
      try {
        const where = driver instanceof EmbeddedEnvironment ? driver.path : environment.spec.url ?? '';
        const created = driver instanceof EmbeddedEnvironment && driver.created;
        io.stdout(created ? `environment ${name}: created ${where}\n` : `environment ${name}: already exists at ${where}; its keys are kept\n`);
        io.stdout(`public key: ${await driver.publicKey()}\n`);
      } finally {
        await driver.close();
      }
      setExit(EXIT.ok);
    });
}
