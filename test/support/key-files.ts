import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyFile } from '../../controller/config/key-file.ts';

/** A key file held in memory, as readKeyFile returns one: a fresh random key each call. */
export function testKeyFile(path = '/run/secrets/intctl/environment-key/key'): KeyFile {
  return { path, key: new Uint8Array(randomBytes(32)) };
}

/** Writes a fresh key file (base64 and a line break, as `intctl environment keygen` does) into `dir`; returns its path and key. */
export async function writeKeyFile(dir: string, name = 'environment.key'): Promise<KeyFile> {
  const key = randomBytes(32);
  const path = join(dir, name);
  await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600 });
  return { path, key: new Uint8Array(key) };
}
