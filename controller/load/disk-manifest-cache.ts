import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestSchemas } from '../generated/schemas.ts';
import type { ContentCache, StoredFile } from './load-manifests.ts';

/** The first line of the file, then the SHA-256 of the body: a truncated or corrupt file is ignored, never trusted. */
const HEADER = 'intctl-manifests 1 ';

/** A content cache kept in a file between runs; `save` writes what this run used. */
export interface DiskManifestCache extends ContentCache {
  /** Writes the entries this run used (and only those), when they differ from what was read; a failure to write is let go. */
  save(): Promise<void>;
}

/**
 * What each manifest file's content made (see StoredFile), kept in one file of the cache
 * directory, so that the next `intctl plan` of a large repository parses and validates only the
 * files that changed. The file is named by the manifest schemas, so a new intctl with other
 * schemas starts afresh; it carries the SHA-256 of its body, so a damaged file is ignored; it is
 * written to a temporary file renamed into place, so concurrent runs never read half of one (the
 * last one to finish wins). It holds what the last run used: its size follows the repository's.
 */
export function openDiskManifestCache(directory: string): DiskManifestCache {
  const path = join(directory, `manifests-${schemaDigest().slice(0, 16)}.json`);
  const read = readEntries(path);
  const used = new Map<string, StoredFile>();
  let added = false;
  return {
    get(digest) {
      const entry = used.get(digest) ?? read.get(digest);
      if (entry) used.set(digest, entry);
      return entry;
    },
    set(digest, file) {
      used.set(digest, file);
      added = true;
    },
    async save() {
      if (!added && used.size === read.size) return;
      const body = JSON.stringify(Object.fromEntries(used));
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await mkdir(directory, { recursive: true });
        await writeFile(temporary, `${HEADER}${sha256(body)}\n${body}`, { mode: 0o600 });
        await rename(temporary, path);
      } catch {
        // A cache that cannot be written (a read-only or full disk) costs the next run time, not this one its result.
        await unlink(temporary).catch(() => undefined);
      }
    },
  };
}

let digestOfSchemas: string | undefined;
function schemaDigest(): string {
  return (digestOfSchemas ??= sha256(JSON.stringify(manifestSchemas)));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The entries of the file, or none when it is missing, damaged or not of this layout. */
function readEntries(path: string): Map<string, StoredFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return new Map();
  }
  const newline = text.indexOf('\n');
  if (!text.startsWith(HEADER) || newline < 0) return new Map();
  const body = text.slice(newline + 1);
  if (text.slice(HEADER.length, newline) !== sha256(body)) return new Map();
  try {
    const entries = JSON.parse(body) as Record<string, StoredFile>;
    const out = new Map<string, StoredFile>();
    for (const [digest, file] of Object.entries(entries)) {
      if (typeof file?.manifest === 'boolean' && Array.isArray(file.objects) && file.objects.every((o) => Number.isInteger(o?.document) && typeof o.manifest === 'object' && o.manifest !== null)) out.set(digest, file);
    }
    return out;
  } catch {
    return new Map();
  }
}
