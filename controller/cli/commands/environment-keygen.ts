import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { KEY_FILE_BYTES } from '../../config/key-file.ts';
import { examplesHelp } from '../options.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';

interface Options {
  out: string;
}

/**
 * `intctl environment keygen --out <file>`: makes a key file for an environment server, 32 random
 * bytes as one line of base64, readable by its owner only. It never overwrites a file: replacing
 * a key file in use would lose every sealed value of the environment. The key is never printed.
 */
export function registerEnvironmentKeygen(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const environment = program.commands.find((c) => c.name() === 'environment') ?? program.command('environment').description('run the environment server');
  environment
    .command('keygen')
    .description("make a key file for intctl environment serve --key-file: it wraps the environment's private key in the store")
    .requiredOption('--out <file>', 'where to write it (mode 0600); an existing file is never overwritten')
    .addHelpText('after', examplesHelp([
      ["intctl environment keygen --out environment.key", "make a key file, to mount as a Kubernetes Secret"],
    ]))
    .addHelpText(
      'after',
      `
Then keep it apart from the store and its backups, for example as a Kubernetes Secret:
  kubectl create secret generic intctl-prod-key --from-file=key=<file>
and give it to the server (the chart's environmentServer.keyFile mounts that Secret).
${exitCodeHelp({ ok: 'the key file is written', failed: 'it could not be written (the directory is missing or not writable)', usage: 'usage error: --out is missing, or names a file that already exists' })}`,
    )
    .action(async (options: Options) => {
      const path = resolve(io.cwd, options.out);
      let file;
      try {
        file = await open(path, 'wx', 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`--out ${options.out}: the file already exists; a key file is never overwritten, since replacing one in use loses every sealed value it protects. Choose another path`);
        io.stderr(`intctl: cannot write the key file ${path}: ${code === 'ENOENT' ? 'its directory does not exist' : code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message)}\n`);
        setExit(EXIT.failed);
        return;
      }
      const key = randomBytes(KEY_FILE_BYTES);
      try {
        await file.writeFile(`${key.toString('base64')}\n`);
      } finally {
        key.fill(0);
        await file.close();
      }
      io.stdout(`wrote a key file to ${path}: keep it apart from the store and its backups; without it the environment's sealed values cannot be opened\n`);
      setExit(EXIT.ok);
    });
}
