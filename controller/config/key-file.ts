import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A key file holds this many random bytes, as base64 text (44 characters, one line). */
export const KEY_FILE_BYTES = 32;

/**
 * An environment server's key-encryption key: the key that wraps the environment's private key
 * and fingerprint key in its database, read from a file kept apart from that database (a mounted
 * Kubernetes Secret). `path` names it in messages; the key itself is never printed.
 */
export interface KeyFile {
  path: string;
  key: Uint8Array;
}

/** How to make a key file, for messages that ask for one. */
export const MAKE_KEY_FILE = 'make one with intctl environment keygen --out <file>, or openssl rand -base64 32 > <file>';

/**
 * Reads a key file: base64 of exactly 32 bytes, surrounding white space ignored. Returns the key,
 * or a problem in the user's words naming the file and `label` (the flag or variable that gave
 * it); the problem never holds the file's content.
 */
export async function readKeyFile(path: string, label: string): Promise<KeyFile | { problem: string }> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > 1024) return { problem: `${label}: ${path} is not a key file: it is larger than a key; ${MAKE_KEY_FILE}` };
    text = bytes.toString('utf8').trim();
  } catch (error) {
    return { problem: `${label}: cannot read the key file ${path}: ${readFailure(error)}` };
  }
  const key = /^[A-Za-z0-9+/]{43}=$/.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
  if (key?.length !== KEY_FILE_BYTES) {
    return { problem: `${label}: ${path} is not a key file: it must hold ${KEY_FILE_BYTES} random bytes as one line of base64; ${MAKE_KEY_FILE}` };
  }
  return { path, key };
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'there is no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (the server runs as a user that may not read it)';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return code ?? (error as Error).message;
}

/**
 * The environment server's key file (required) and the previous one (during a rotation), each
 * from its flag, else its variable, relative to `cwd`; every problem in the user's words.
 */
export async function readServerKeyFiles(flags: { keyFile?: string; previousKeyFile?: string }, env: NodeJS.ProcessEnv, cwd: string): Promise<{ keyFile?: KeyFile; previousKeyFile?: KeyFile; problems: string[] }> {
  const problems: string[] = [];
  const given = (flag: string | undefined, flagName: string, variable: string): { path: string; label: string } | undefined => {
    if (flag !== undefined && flag !== '') return { path: resolve(cwd, flag), label: flagName };
    const value = env[variable];
    return value === undefined || value === '' ? undefined : { path: resolve(cwd, value), label: variable };
  };
  const read = async (from: { path: string; label: string } | undefined): Promise<KeyFile | undefined> => {
    if (!from) return undefined;
    const result = await readKeyFile(from.path, from.label);
    if ('problem' in result) problems.push(result.problem);
    else return result;
    return undefined;
  };
  const current = given(flags.keyFile, '--key-file', 'INTCTL_ENVIRONMENT_KEY_FILE');
  const previous = given(flags.previousKeyFile, '--previous-key-file', 'INTCTL_ENVIRONMENT_PREVIOUS_KEY_FILE');
  if (!current) {
    problems.push(
      `no key file: the environment server keeps the environment's private key in its database only wrapped with a key file kept apart from it; give one with --key-file or INTCTL_ENVIRONMENT_KEY_FILE; ${MAKE_KEY_FILE}`,
    );
  }
  const keyFile = await read(current);
  const previousKeyFile = await read(previous);
  if (keyFile && previousKeyFile && Buffer.compare(Buffer.from(keyFile.key), Buffer.from(previousKeyFile.key)) === 0) {
    problems.push(`${previous!.label}: ${previous!.path} holds the same key as ${current!.label} ${current!.path}; a rotation needs a new key file; ${MAKE_KEY_FILE}`);
  }
  return { ...(keyFile ? { keyFile } : {}), ...(previousKeyFile ? { previousKeyFile } : {}), problems };
}
