import { readFile } from 'node:fs/promises';
import type { StoredSecret } from '../core/environment-state.ts';
import type { KeyPair } from '../secrets/generate-key-pair.ts';
import { openSealed } from '../secrets/open-sealed.ts';

export type OpenedSecret = { ok: true; value: string } | { ok: false; message: string };

/** A secret file larger than this is a mistake. */
const MAX_SECRET_BYTES = 1024 * 1024;

/**
 * The value of one stored secret, at the moment a call needs it: a sealed value opened with the
 * environment's key pair, a variable of the server's process, or a file read now (a mounted
 * Kubernetes Secret changes without a restart; one trailing line break is dropped). The caller
 * keeps the value for that call only. Messages never hold the value.
 */
export async function openSecret(secret: StoredSecret, keyPair: KeyPair, variables: Readonly<Record<string, string | undefined>>): Promise<OpenedSecret> {
  if ('sealed' in secret) {
    const opened = openSealed(keyPair, secret.sealed);
    return opened.ok ? { ok: true, value: opened.value } : { ok: false, message: opened.message };
  }
  if ('env' in secret) {
    const value = variables[secret.env];
    return value === undefined || value === '' ? { ok: false, message: `variable ${secret.env} is not set on the environment server` } : { ok: true, value };
  }
  if ('file' in secret) {
    try {
      const bytes = await readFile(secret.file);
      if (bytes.length > MAX_SECRET_BYTES) return { ok: false, message: `file ${secret.file} is larger than ${MAX_SECRET_BYTES} bytes` };
      return { ok: true, value: bytes.toString('utf8').replace(/\r?\n$/, '') };
    } catch (error) {
      return { ok: false, message: `file ${secret.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  return { ok: false, message: 'the secret gives none of sealed, env or file' };
}
