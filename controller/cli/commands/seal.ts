import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fsRepository } from '../../source/fs-repository.ts';
import { sealSecret } from '../../secrets/seal-secret.ts';
import { EXIT, UsageError, exitCodeHelp, type CliIo } from '../io.ts';
import { envOption, examplesHelp, repoOption, stateDirOption } from '../options.ts';
import { environmentPublicKey, repositoryRoot, requireEnvironment, workspaceConfig } from '../workspace.ts';

interface SealOptions {
  env: string;
  repo?: string;
  stateDir?: string;
  fromFile?: string;
}

/** The largest value sealed: what a manifest's plain value may hold. */
export const MAX_SECRET_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `intctl seal --env <name>`: encrypts a value to the environment's public key and prints the
 * sealed base64, to commit as `{ sealed: ... }`. The value comes from standard input or a file,
 * never from the command line, so it does not end up in shell history or the process list; it
 * never appears in anything printed. One trailing line break is dropped, as `echo` adds one.
 */
export function registerSeal(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('seal')
    .description("seal a secret value to an environment's public key; the value is read from standard input")
    .addOption(envOption('the environment the value is for: only it can open the result'))
    .addOption(repoOption())
    .addOption(stateDirOption())
    .option('--from-file <path>', 'read the value from this file instead of standard input')
    .addHelpText('after', examplesHelp([
      ["printf %s \"$PASSWORD\" | intctl seal --env prod", "seal a value for prod, to paste under sealed: in a Connection"],
      ["intctl seal --env prod --from-file client.key", "seal a file's contents"],
    ]))
    .addHelpText('after', exitCodeHelp({ ok: 'the sealed value is printed', failed: 'nothing sealed: the environment has no keys yet, or the value is empty, too large or not UTF-8 text', usage: true }))
    .action(async (options: SealOptions) => {
      const root = await repositoryRoot(io, options.repo);
      const config = await workspaceConfig(io, root, options.stateDir);
      const environment = await requireEnvironment(fsRepository(root), options.env);
      const publicKey = await environmentPublicKey(environment, config);

      const bytes = options.fromFile === undefined ? await readStdin(io) : await readValueFile(resolve(io.cwd, options.fromFile), options.fromFile);
      if (bytes === undefined) return fail(io, setExit, `the value is larger than ${MAX_SECRET_BYTES} bytes`);
      let value: string;
      try {
        value = utf8.decode(bytes);
      } catch {
        return fail(io, setExit, 'the value is not UTF-8 text');
      }
      value = value.replace(/\r?\n$/, '');
      if (value === '') return fail(io, setExit, 'the value is empty');
      io.stdout(`${sealSecret(publicKey, value)}\n`);
      setExit(EXIT.ok);
    });
}

function fail(io: CliIo, setExit: (code: number) => void, message: string): void {
  io.stderr(`intctl: ${message}\n`);
  setExit(EXIT.failed);
}

async function readValueFile(path: string, given: string): Promise<Uint8Array | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`--from-file ${given} is not a readable file`);
  if (info.size > MAX_SECRET_BYTES) return undefined;
  return readFile(path);
}

/** Standard input, up to the limit; undefined past it. */
async function readStdin(io: CliIo): Promise<Uint8Array | undefined> {
  if (process.stdin.isTTY) io.stderr('intctl: type the value, then press Ctrl-D (it is shown as you type; prefer a pipe or --from-file)\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SECRET_BYTES) {
      process.stdin.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
