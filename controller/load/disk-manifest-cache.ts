import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../core/sha256.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestSchemas } from '../generated/schemas.ts';
import type { IdentityStore } from '../artifact/build-artifact.ts';
import type { ContentCache, StoredFile } from './load-manifests.ts';

/**
 * The first line of the base file, then its generation and the SHA-256 of the body: a truncated or
 * corrupt file is ignored, never trusted. The body is ASCII (JSON with every other character
 * escaped), so it is hashed and decoded as the bytes it is, without UTF-8 decoding 20 MB.
 */
const HEADER = 'intctl-manifests 4 ';

/**
 * A content cache kept in files between runs, with the content hash each manifest gave against
 * its specification and environment (an IdentityStore) and the stamp each file was read with;
 * `save` writes what this run added.
 */
export interface DiskManifestCache extends ContentCache {
  identities: IdentityStore;
  /** Writes what this run added, or, when what it left unused has grown, everything it used (and only that); a failure to write is let go. */
  save(): Promise<void>;
}

type StoredIdentity = NonNullable<ReturnType<IdentityStore['get']>>;
/** The stamp a path was read with, and the digest its bytes had. */
type StoredStamp = [stamp: string, digest: string];

/**
 * The body of the base file. Identities are grouped by what follows the manifest's content key in
 * their key (generator, specification, auth type, pins: shared by every integration of an
 * environment), each a content hash and the index of its requirements in `requires` (which a
 * repository's integrations share too): a quarter of the size, so a third less to parse.
 */
interface Stored {
  files: Record<string, StoredFile>;
  identities: Record<string, Record<string, [hash: string, requires: number]>>;
  requires: Array<Record<string, string>>;
  stamps: Record<string, StoredStamp>;
}

/** One line of the journal: an entry added after the base was written. */
type JournalEntry = ['file', string, StoredFile] | ['identity', string, StoredIdentity] | ['stamp', string, string, string];

interface Entries {
  files: Map<string, StoredFile>;
  identities: Map<string, StoredIdentity>;
  stamps: Map<string, StoredStamp>;
}

const none = (): Entries => ({ files: new Map(), identities: new Map(), stamps: new Map() });

/**
 * What each manifest file's content made (see StoredFile), kept in the cache directory, so that
 * the next `intctl plan` of a large repository parses and validates only the files that changed,
 * and reads only those whose stamp (RepoEntry.stamp) changed.
 *
 * Two files, as a log-structured store keeps them: a base, written whole to a temporary file
 * renamed into place (so concurrent runs never read half of one), and a journal of what later runs
 * added, one line each, appended. A run that changed one file of 10,000 appends three lines instead
 * of writing the whole; a run that left unused more than a quarter of what it read, or whose
 * journal has grown to half the base, writes a new base of what it used, and the journals of older
 * bases are removed. Each file carries SHA-256 digests (the base of its body, the journal of each
 * line), so a damaged base is ignored and a damaged or half-written line is passed over. Both are
 * named by the manifest schemas, so a new intctl with other schemas starts afresh; the journal is
 * named by its base's generation too, so lines appended to an older base are never read with a
 * newer one. Their size follows the repository's.
 *
 * A plan of an unchanged manifest against an unchanged specification and environment takes its
 * content hash from here instead of computing it (a tenth of a 10,000-integration plan).
 */
export function openDiskManifestCache(directory: string): DiskManifestCache {
  const prefix = `manifests-${schemaDigest().slice(0, 16)}`;
  const basePath = join(directory, `${prefix}.json`);
  const journalPath = (generation: string): string => join(directory, `${prefix}.${generation}.log`);
  const opened = readBase(basePath);
  let read = opened?.entries ?? none();
  // The base this cache appends to, and the size of it and of its journal.
  let base = opened && { generation: opened.generation, bytes: opened.bytes, ...readJournal(journalPath(opened.generation), read) };
  const used = none();
  const added: JournalEntry[] = [];
  return {
    get(digest) {
      const entry = used.files.get(digest) ?? read.files.get(digest);
      if (entry) used.files.set(digest, entry);
      return entry;
    },
    set(digest, file) {
      used.files.set(digest, file);
      added.push(['file', digest, file]);
    },
    stamped(path, stamp) {
      const entry = used.stamps.get(path) ?? read.stamps.get(path);
      if (entry?.[0] !== stamp) return undefined;
      used.stamps.set(path, entry);
      return entry[1];
    },
    stamp(path, stamp, digest) {
      const entry = used.stamps.get(path) ?? read.stamps.get(path);
      if (entry?.[0] === stamp && entry[1] === digest) {
        used.stamps.set(path, entry);
        return;
      }
      used.stamps.set(path, [stamp, digest]);
      added.push(['stamp', path, stamp, digest]);
    },
    identities: {
      get(key) {
        const entry = used.identities.get(key) ?? read.identities.get(key);
        if (entry) used.identities.set(key, entry);
        return entry;
      },
      set(key, identity) {
        const entry = { hash: identity.hash, requires: identity.requires };
        used.identities.set(key, entry);
        added.push(['identity', key, entry]);
      },
    },
    async save() {
      // The content hashes of every manifest this run loaded are kept, for each environment they
      // were found for, not only for the one this run planned: a CI job planning dev, then prod,
      // against one cache would otherwise find the other's hashes unused and write them away.
      for (const [key, identity] of read.identities) {
        if (!used.identities.has(key) && used.files.has(key.slice(0, key.indexOf('#')))) used.identities.set(key, identity);
      }
      const unused = read.files.size - countIn(used.files, read.files) + (read.identities.size - countIn(used.identities, read.identities)) + (read.stamps.size - countIn(used.stamps, read.stamps));
      const kept = used.files.size + used.identities.size + used.stamps.size;
      const lines = added.map(journalLine);
      const appended = lines.reduce((n, line) => n + line.length, 0);
      // A new base when the journal would reach half the base's size, or an eighth of its entries
      // (each line is hashed and parsed on its own: the 10,000 content hashes a first plan after an
      // apply finds are cheaper to read in the base), or a quarter of the base went unused.
      const whole = !base || unused > kept / 4 || base.journalBytes + appended > base.bytes / 2 || base.journalLines + lines.length > kept / 8;
      if (!whole && lines.length === 0) return;
      try {
        await mkdir(directory, { recursive: true });
        if (whole) {
          base = { ...(await writeBase(directory, basePath, used, journalPath, prefix)), journalBytes: 0, journalLines: 0 };
          read = { files: new Map(used.files), identities: new Map(used.identities), stamps: new Map(used.stamps) };
        } else {
          // One write in append mode: lines of concurrent runs may follow one another, never mix within a write of this size on a local file system; a mixed one fails its digest and is passed over.
          await appendFile(journalPath(base!.generation), lines.join(''), { mode: 0o600 });
          base!.journalBytes += appended;
          base!.journalLines += lines.length;
          for (const [name, map] of [['files', used.files], ['identities', used.identities], ['stamps', used.stamps]] as const) {
            for (const [key, value] of map) (read[name] as Map<string, unknown>).set(key, value);
          }
        }
      } catch {
        // A cache that cannot be written (a read-only or full disk) costs the next run time, not this one its result.
        return;
      }
      added.length = 0;
    },
  };
}

/** How many of a map's keys another map has. */
function countIn(used: ReadonlyMap<string, unknown>, read: ReadonlyMap<string, unknown>): number {
  let n = 0;
  for (const key of used.keys()) if (read.has(key)) n++;
  return n;
}

/** Writes a new base of a new generation, then removes the journals of every other (older, or another run's) generation. */
async function writeBase(directory: string, basePath: string, entries: Entries, journalPath: (generation: string) => string, prefix: string): Promise<{ generation: string; bytes: number }> {
  const generation = randomBytes(6).toString('hex');
  const body = ascii(JSON.stringify({ files: Object.fromEntries(entries.files), ...groupIdentities(entries.identities), stamps: Object.fromEntries(entries.stamps) } satisfies Stored));
  const temporary = `${basePath}.${generation}.tmp`;
  const text = `${HEADER}${generation} ${sha256Hex(body)}\n${body}`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    await rename(temporary, basePath);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  const ours = `${journalPath(generation).slice(directory.length + 1)}`;
  for (const name of readdirSync(directory)) {
    if (name.startsWith(`${prefix}.`) && name.endsWith('.log') && name !== ours) await unlink(join(directory, name)).catch(() => undefined);
  }
  return { generation, bytes: text.length };
}

let digestOfSchemas: string | undefined;
function schemaDigest(): string {
  return (digestOfSchemas ??= sha256Hex(JSON.stringify(manifestSchemas)));
}


/** The first 16 hex digits of a line's SHA-256: enough to tell a damaged line, not a secret. */
function lineDigest(json: string): string {
  return sha256Hex(json).slice(0, 16);
}

function journalLine(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${lineDigest(json)} ${json}\n`;
}

/** JSON text with every character outside ASCII escaped (`\\u00e9`): the same value, read back by JSON.parse. */
function ascii(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Identities as the base keeps them: grouped by the part of their key after the content key, requirements once each. */
function groupIdentities(identities: ReadonlyMap<string, StoredIdentity>): Pick<Stored, 'identities' | 'requires'> {
  const grouped: Stored['identities'] = {};
  const requires: Stored['requires'] = [];
  const requiresIndex = new Map<string, number>();
  for (const [key, identity] of identities) {
    const bar = key.indexOf('|');
    const [content, rest] = bar < 0 ? [key, ''] : [key.slice(0, bar), key.slice(bar)];
    const text = JSON.stringify(identity.requires);
    let index = requiresIndex.get(text);
    if (index === undefined) requiresIndex.set(text, (index = requires.push(identity.requires) - 1));
    (grouped[rest] ??= {})[content] = [identity.hash, index];
  }
  return { identities: grouped, requires };
}

/** The base's entries, generation and size, or undefined when it is missing, damaged or not of this layout. */
function readBase(path: string): { entries: Entries; generation: string; bytes: number } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 || bytes.toString('latin1', 0, HEADER.length) !== HEADER) return undefined;
  const [generation, digest] = bytes.toString('latin1', HEADER.length, newline).split(' ');
  const body = bytes.subarray(newline + 1);
  if (!generation || !/^[0-9a-f]{12}$/.test(generation) || digest !== createHash('sha256').update(body).digest('hex')) return undefined;
  try {
    // ASCII, as written (and checked by its digest): decoded as bytes, one character each.
    const stored = JSON.parse(body.toString('latin1')) as Partial<Stored> | null;
    const entries = none();
    for (const [digest, file] of Object.entries(stored?.files ?? {})) addEntry(entries, ['file', digest, file]);
    const requires = Array.isArray(stored?.requires) ? stored.requires : [];
    for (const [rest, group] of Object.entries(stored?.identities ?? {})) {
      for (const [content, identity] of Object.entries(group ?? {})) {
        if (Array.isArray(identity)) addEntry(entries, ['identity', content + rest, { hash: identity[0], requires: requires[identity[1]]! }]);
      }
    }
    for (const [path, stamp] of Object.entries(stored?.stamps ?? {})) addEntry(entries, ['stamp', path, ...(Array.isArray(stamp) ? stamp : [])] as JournalEntry);
    return { entries, generation, bytes: bytes.length };
  } catch {
    return undefined;
  }
}

/** Adds the journal's lines to the entries, passing over a damaged one; its size and number of lines. */
function readJournal(path: string, entries: Entries): { journalBytes: number; journalLines: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { journalBytes: 0, journalLines: 0 };
  }
  let journalLines = 0;
  for (const line of text.split('\n')) {
    if (line !== '') journalLines++;
    const space = line.indexOf(' ');
    if (space !== 16) continue;
    const json = line.slice(17);
    if (line.slice(0, 16) !== lineDigest(json)) continue;
    try {
      addEntry(entries, JSON.parse(json) as JournalEntry);
    } catch {
      // A line that passed its digest but is not ours to read (another layout): passed over.
    }
  }
  return { journalBytes: text.length, journalLines };
}

/** Adds one entry when it has the shape its kind must have; anything else is left out, never trusted. */
function addEntry(entries: Entries, entry: JournalEntry): void {
  if (!Array.isArray(entry) || typeof entry[1] !== 'string') return;
  switch (entry[0]) {
    case 'file': {
      const file = entry[2];
      if (typeof file?.manifest === 'boolean' && Array.isArray(file.objects) && file.objects.every((o) => Number.isInteger(o?.document) && typeof o.manifest === 'object' && o.manifest !== null)) entries.files.set(entry[1], file);
      return;
    }
    case 'identity': {
      const identity = entry[2];
      if (typeof identity?.hash === 'string' && /^sha256:[0-9a-f]{64}$/.test(identity.hash) && typeof identity.requires === 'object' && identity.requires !== null && Object.values(identity.requires).every((v) => typeof v === 'string')) {
        entries.identities.set(entry[1], identity);
      }
      return;
    }
    case 'stamp':
      if (typeof entry[2] === 'string' && typeof entry[3] === 'string') entries.stamps.set(entry[1], [entry[2], entry[3]]);
      return;
  }
}
