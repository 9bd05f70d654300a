import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GenerationStore } from './generation-cache.ts';
import { PLACEHOLDER_NAME, type SharedGeneration } from './shared-generation.ts';

/** The first line of every entry; a new layout gets a new folder, so old entries are never misread. */
const HEADER = 'intctl-generation 1 ';
const FOLDER = 'generations-v1';
/** A temporary file this old was left by a run that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface DiskGenerationStoreOptions {
  /** The cache directory (`$XDG_CACHE_HOME/intctl`, or the controller's state directory); entries go in a folder of it. */
  directory: string;
  /** Past this many bytes, the least recently used entries are removed. */
  maxBytes: number;
}

/**
 * Shared generations in files, one per generation key, so a later run (a CI job that restores the
 * directory, the next `intctl plan`, a restarted controller) does not generate them again. Each
 * entry carries the SHA-256 of its body and its own key: a truncated, corrupt or misplaced entry
 * is ignored (and rewritten by the next generation), never trusted. Writes go to a temporary file
 * renamed into place, so concurrent runs never see half an entry. Reading an entry marks it used
 * (its modification time); past `maxBytes`, the least recently used go first.
 */
export function createDiskGenerationStore(options: DiskGenerationStoreOptions): GenerationStore {
  const folder = join(options.directory, FOLDER);
  const pathOf = (key: string): string => join(folder, `${key.replace(/^sha256:/, '')}.json`);
  /** Bytes in the folder as this process knows them: counted on the first write, then kept up to date. */
  let total: number | undefined;

  const evict = async (): Promise<void> => {
    const entries = await listEntries(folder);
    total = entries.reduce((sum, e) => sum + e.size, 0);
    if (total <= options.maxBytes) return;
    entries.sort((a, b) => a.used - b.used);
    const target = options.maxBytes * 0.9;
    for (const entry of entries) {
      if (total <= target) break;
      await unlink(entry.path).catch(() => undefined);
      total -= entry.size;
    }
  };

  return {
    async read(key) {
      const path = pathOf(key);
      const text = await readFile(path, 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      const generation = decode(text, key);
      if (generation) {
        const now = new Date();
        await utimes(path, now, now).catch(() => undefined);
      }
      return generation;
    },
    async write(key, generation) {
      try {
        await mkdir(folder, { recursive: true });
        const text = encode(key, generation);
        const temp = join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
        await writeFile(temp, text);
        await rename(temp, pathOf(key));
        if (total === undefined) await evict();
        else total += Buffer.byteLength(text);
        if (total! > options.maxBytes) await evict();
      } catch {
        // A cache that cannot be written costs a generation next time, nothing more.
      }
    },
  };
}

function encode(key: string, generation: SharedGeneration): string {
  const body = JSON.stringify({ key, catalog: generation.catalog, declarations: generation.declarations, ...(generation.warnings ? { warnings: generation.warnings } : {}) });
  return `${HEADER}sha256:${createHash('sha256').update(body).digest('hex')}\n${body}`;
}

/** The generation an entry holds, when its digest, its key and its shape all check out. */
function decode(text: string, key: string): SharedGeneration | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0 || !text.startsWith(HEADER)) return undefined;
  const body = text.slice(newline + 1);
  if (text.slice(HEADER.length, newline) !== `sha256:${createHash('sha256').update(body).digest('hex')}`) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const entry = value as { key?: unknown; catalog?: { integration?: unknown }; declarations?: unknown; warnings?: unknown };
  if (entry.key !== key || typeof entry.catalog !== 'object' || entry.catalog === null || entry.catalog.integration !== PLACEHOLDER_NAME) return undefined;
  const declarations = entry.declarations;
  if (!Array.isArray(declarations) || declarations.length !== 2 || !declarations.every((d) => typeof d === 'string')) return undefined;
  if (entry.warnings !== undefined && !Array.isArray(entry.warnings)) return undefined;
  return {
    catalog: entry.catalog as SharedGeneration['catalog'],
    declarations: declarations as [string, string],
    ...(entry.warnings ? { warnings: entry.warnings as NonNullable<SharedGeneration['warnings']> } : {}),
  };
}

/** The entries of the folder with their sizes and last use; temporary files left by dead runs are removed. */
async function listEntries(folder: string): Promise<{ path: string; size: number; used: number }[]> {
  const out: { path: string; size: number; used: number }[] = [];
  const names = await readdir(folder).catch(() => [] as string[]);
  const now = Date.now();
  for (const name of names) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (name.startsWith('.tmp-')) {
      if (now - info.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => undefined);
      continue;
    }
    out.push({ path, size: info.size, used: info.mtimeMs });
  }
  return out;
}
