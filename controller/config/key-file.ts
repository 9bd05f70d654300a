import { readFile } from 'node:fs/promises';

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
