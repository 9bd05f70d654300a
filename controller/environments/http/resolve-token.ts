import { readFile } from 'node:fs/promises';
import type { SecretValue } from '../../generated/manifests.ts';
import { HttpEnvironmentError } from './http-environment-error.ts';

/** A token file larger than this is a mistake (a key file where a token belongs). */
const MAX_TOKEN_BYTES = 64 * 1024;

/**
 * The controller's token for an environment server, from an Environment's spec.token: a variable
 * (`env`) or a file (`file`, a mounted Kubernetes Secret; one trailing line break dropped).
 * Plain text is refused, as validation already does; a sealed value cannot be opened by the
 * controller, which holds no environment's private key. Throws HttpEnvironmentError (TokenUnavailable);
 * messages never hold the value.
 */
export async function resolveToken(environment: string, token: SecretValue | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const fail = (why: string): never => {
    throw new HttpEnvironmentError('TokenUnavailable', `environment ${environment}: spec.token ${why}`);
  };
  if (token === undefined) return fail('is required for driver http');
  if (token.plain !== undefined) return fail('is plain text; give it as env or file');
  if (token.sealed !== undefined) return fail('is sealed, but only the environment can open a sealed value; give it as env or file');
  if (token.env !== undefined) {
    const value = env[token.env];
    if (value === undefined || value.trim() === '') return fail(`names variable ${token.env}, which is not set`);
    return value.trim();
  }
  if (token.file !== undefined) {
    let bytes: Buffer;
    try {
      bytes = await readFile(token.file);
    } catch (error) {
      return fail(`names file ${token.file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (bytes.length > MAX_TOKEN_BYTES) return fail(`names file ${token.file}, which is larger than ${MAX_TOKEN_BYTES} bytes`);
    const value = bytes.toString('utf8').replace(/\r?\n$/, '');
    if (value.trim() === '') return fail(`names file ${token.file}, which is empty`);
    return value;
  }
  return fail('gives none of env or file');
}
