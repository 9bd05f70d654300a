import { lstat, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import type { RepositoryReader } from '../../core/repository-reader.ts';
import { UsageError } from '../io.ts';

export type Comparison = 'unchanged' | 'differs' | 'not in the repository yet';

/** Whether the specification read from the system is the one at `path` in the repository (byte for byte). */
export async function compareWithRepository(reader: RepositoryReader, path: string, bytes: Uint8Array): Promise<Comparison> {
  if ((await reader.checkPath(path)) !== 'file') return 'not in the repository yet';
  const current = await reader.read(path);
  return Buffer.from(current).equals(Buffer.from(bytes)) ? 'unchanged' : 'differs';
}

/**
 * Writes `bytes` to the repository-relative `path` under `root`, refusing a path that a symbolic
 * link (of the file or of a folder on the way) takes outside the repository, or that is not a
 * regular file. The file is replaced whole (written beside it, then renamed), so a failure never
 * leaves half a specification.
 */
export async function writeInRepository(root: string, path: string, bytes: Uint8Array): Promise<void> {
  const file = await checkWritable(root, path);
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.introspect`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The absolute file `path` names under `root`, or a UsageError when writing it would leave the repository or replace something that is not a regular file. */
export async function checkWritable(root: string, path: string): Promise<string> {
  const top = await realpath(root);
  const file = join(top, path);
  const existing = await lstat(file).catch(() => undefined);
  if (existing && !existing.isFile()) throw new UsageError(`${path} is not a regular file (a symbolic link, folder or special file); introspect replaces regular files only`);
  const folder = await nearestExisting(dirname(file));
  const real = await realpath(folder);
  const rel = relative(top, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new UsageError(`${path} leaves the repository through a symbolic link; introspect writes inside the repository only`);
  return file;
}

async function nearestExisting(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    if (await lstat(at).catch(() => undefined)) return at;
    if (dirname(at) === at) return at;
  }
}
