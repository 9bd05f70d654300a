import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestSchemas } from '../generated/schemas.ts';
import type { IdentityStore } from '../artifact/build-artifact.ts';
import type { ContentCache, StoredFile } from './load-manifests.ts';

/** The first line of the file, then the SHA-256 of the body: a truncated or corrupt file is ignored, never trusted. */
const HEADER = 'intctl-manifests 2 ';

/**
 * A content cache kept in a file between runs, with the content hash each manifest gave against
 * its specification and environment (an IdentityStore); `save` writes what this run used.
 */
export interface DiskManifestCache extends ContentCache {
  identities: IdentityStore;
  /** Writes the entries this run used (and only those), when they differ from what was last read or written; a failure to write is let go. */
  save(): Promise<void>;
}

type StoredIdentity = NonNullable<ReturnType<IdentityStore['get']>>;

/** The body of the file. */
interface Stored {
  files: Record<string, StoredFile>;
  identities: Record<string, StoredIdentity>;
}

/**
 * What each manifest file's content made (see StoredFile), kept in one file of the cache
 * directory, so that the next `intctl plan` of a large repository parses and validates only the
 * files that changed. The file is named by the manifest schemas, so a new intctl with other
 * schemas starts afresh; it carries the SHA-256 of its body, so a damaged file is ignored; it is
 * written to a temporary file renamed into place, so concurrent runs never read half of one (the
 * last one to finish wins). It holds what the last run used: its size follows the repository's.
 * A plan of an unchanged manifest against an unchanged specification and environment takes its
 * content hash from here instead of computing it (a tenth of a 10,000-integration plan).
 */
export function openDiskManifestCache(directory: string): DiskManifestCache {
  const path = join(directory, `manifests-${schemaDigest().slice(0, 16)}.json`);
  const read = readEntries(path);
  const used = { files: new Map<string, StoredFile>(), identities: new Map<string, StoredIdentity>() };
  let changed = false;
  return {
    get(digest) {
      const entry = used.files.get(digest) ?? read.files.get(digest);
      if (entry) used.files.set(digest, entry);
      return entry;
    },
    set(digest, file) {
      used.files.set(digest, file);
      changed = true;
    },
    identities: {
      get(key) {
        const entry = used.identities.get(key) ?? read.identities.get(key);
        if (entry) used.identities.set(key, entry);
        return entry;
      },
      set(key, identity) {
        used.identities.set(key, { hash: identity.hash, requires: identity.requires });
        changed = true;
      },
    },
    async save() {
      if (!changed && used.files.size === read.files.size && used.identities.size === read.identities.size) return;
      changed = false;
      read.files = new Map(used.files);
      read.identities = new Map(used.identities);
      const body = JSON.stringify({ files: Object.fromEntries(used.files), identities: Object.fromEntries(used.identities) } satisfies Stored);
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
function readEntries(path: string): { files: Map<string, StoredFile>; identities: Map<string, StoredIdentity> } {
  const none = () => ({ files: new Map<string, StoredFile>(), identities: new Map<string, StoredIdentity>() });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return none();
  }
  const newline = text.indexOf('\n');
  if (!text.startsWith(HEADER) || newline < 0) return none();
  const body = text.slice(newline + 1);
  if (text.slice(HEADER.length, newline) !== sha256(body)) return none();
  try {
    const stored = JSON.parse(body) as Partial<Stored> | null;
    const out = none();
    for (const [digest, file] of Object.entries(stored?.files ?? {})) {
      if (typeof file?.manifest === 'boolean' && Array.isArray(file.objects) && file.objects.every((o) => Number.isInteger(o?.document) && typeof o.manifest === 'object' && o.manifest !== null)) out.files.set(digest, file);
    }
    for (const [key, identity] of Object.entries(stored?.identities ?? {})) {
      if (typeof identity?.hash === 'string' && /^sha256:[0-9a-f]{64}$/.test(identity.hash) && typeof identity.requires === 'object' && identity.requires !== null && Object.values(identity.requires).every((v) => typeof v === 'string')) {
        out.identities.set(key, identity);
      }
    }
    return out;
  } catch {
    return none();
  }
}
