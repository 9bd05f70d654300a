import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { readConfig } from '../../config/read-config.ts';
import { EmbeddedEnvironment } from '../../environments/embedded/embedded-environment.ts';
import { findEnvironment } from '../../load/find-environment.ts';
import { openDriver } from '../../environments/open-driver.ts';
import { EXIT, UsageError, type CliIo } from '../io.ts';

interface EnvInitOptions {
  repo: string;
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
    .option('--repo <dir>', 'the repository directory holding the manifests', '.')
    .option('--state-dir <dir>', 'where embedded environments keep their files (default: $INTCTL_STATE_DIR, else ./.intctl)')
    .action(async (name: string, options: EnvInitOptions) => {
      const root = resolve(io.cwd, options.repo);
      const info = await stat(root).catch(() => undefined);
      if (!info?.isDirectory()) throw new UsageError(`--repo ${options.repo} is not a directory`);
      const stateDir = options.stateDir === undefined ? readConfig(undefined, io.cwd).stateDir : resolve(io.cwd, options.stateDir);

      const found = await findEnvironment(fsRepository(root), name);
      if (!found.ok) {
        io.stderr(`intctl: ${found.message}\n`);
        setExit(EXIT.failed);
        return;
      }
      const driver = await openDriver(found.environment, { stateDir });
      try {
        const where = driver instanceof EmbeddedEnvironment ? driver.path : found.environment.spec.url ?? '';
        const created = driver instanceof EmbeddedEnvironment && driver.created;
        io.stdout(created ? `environment ${name}: created ${where}\n` : `environment ${name}: already exists at ${where}; its keys are kept\n`);
        io.stdout(`public key: ${await driver.publicKey()}\n`);
      } finally {
        await driver.close();
      }
      setExit(EXIT.ok);
    });
}
