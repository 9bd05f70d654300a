import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../core/sha256.ts';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { appendFile, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestSchemas } from '../generated/schemas.ts';
import type { IdentityStore, StoreKey } from '../artifact/build-artifact.ts';
import { headOf, type Manifest, type ManifestHead } from '../core/manifest.ts';
import type { ContentCache, StoredFile, StoredObject } from './load-manifests.ts';

/**
 * The first line of the base file, then its generation, the SHA-256 of its body, the body's length
 * and the texts' after it: a truncated file or a corrupt body is ignored, never trusted (each text
 * has a digest of its own, checked when it is read). The body is ASCII (JSON with every
 * other character escaped), so it is hashed and decoded as the bytes it is, without UTF-8 decoding
 * megabytes. After the body, the texts of the integrations' manifests (see Stored).
 */
const HEADER = 'intctl-manifests 5 ';

/** More than the header line can be: its first read. */
const HEADER_BYTES = 256;

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
 * The body of the base file. Each file's objects by their heads (ManifestHead); an integration
 * whose head is not all of it has its whole manifest's JSON text after the body, where `text` says
 * (offset from the end of the body, length, and the first 16 hex digits of its SHA-256), read only
 * when something asks for the whole manifest: a plan reads the heads of every file, and the whole
 * of few. Identities are grouped by the inputs of their key besides the manifest (StoreKey: shared
 * by every integration of a specification in an environment), each a content hash and the index
 * of its requirements in `requires` (which a repository's integrations share too).
 */
interface Stored {
  files: Record<string, { manifest: boolean; objects: Array<{ document: number; head: ManifestHead; text?: [offset: number, length: number, digest: string] }> }>;
  identities: Record<string, Record<string, [hash: string, requires: number]>>;
  requires: Array<Record<string, string>>;
  stamps: Record<string, StoredStamp>;
}

/** A file as a journal line holds it: each object's whole manifest. */
interface PlainFile {
  manifest: boolean;
  objects: Array<{ document: number; manifest: Manifest }>;
}

/** One line of the journal: an entry added after the base was written. */
type JournalEntry = ['file', string, PlainFile] | ['identity', string, string, StoredIdentity] | ['stamp', string, string, string];

/** What this run used, by kind: identities by their inputs, then by their manifest. */
interface Used {
  files: Map<string, StoredFile>;
  identities: Map<string, Map<string, StoredIdentity>>;
  stamps: Map<string, StoredStamp>;
}

/** What the base and its journal hold, by kind. */
interface Read {
  files: Layered<StoredFile>;
  identities: Layered<Layered<StoredIdentity>>;
  stamps: Layered<StoredStamp>;
}

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
 * bases are removed. Each file carries SHA-256 digests (the base of its body and of each text
 * after it, the journal of each line), so a damaged base is ignored and a damaged or half-written
 * line is passed over. Both are named by the manifest schemas, so a new intctl with other schemas
 * starts afresh; the journal is named by its base's generation too, so lines appended to an older
 * base are never read with a newer one. Their size follows the repository's. An entry of the base
 * is checked and made into what it stands for when first asked for: a plan asks for every file's
 * and stamp's, and for one environment's content hashes.
 *
 * A plan of an unchanged manifest against an unchanged specification and environment takes its
 * content hash from here instead of computing it (a tenth of a 10,000-integration plan).
 */
export function openDiskManifestCache(directory: string): DiskManifestCache {
  const prefix = `manifests-${schemaDigest().slice(0, 16)}`;
  const basePath = join(directory, `${prefix}.json`);
  const journalPath = (generation: string): string => join(directory, `${prefix}.${generation}.log`);
  const opened = readBase(basePath);
  let read = opened?.read ?? emptyRead();
  // The base this cache appends to, and the size of it and of its journal.
  let base = opened && { generation: opened.generation, bytes: opened.bytes, ...readJournal(journalPath(opened.generation), read) };
  const used: Used = { files: new Map(), identities: new Map(), stamps: new Map() };
  const added: JournalEntry[] = [];
  const usedIdentity = (key: StoreKey): StoredIdentity | undefined => used.identities.get(key.inputs)?.get(key.manifest);
  const useIdentity = (key: StoreKey, identity: StoredIdentity): void => {
    let group = used.identities.get(key.inputs);
    if (!group) used.identities.set(key.inputs, (group = new Map()));
    group.set(key.manifest, identity);
  };
  return {
    get(digest) {
      const entry = used.files.get(digest) ?? read.files.get(digest);
      if (entry) used.files.set(digest, entry);
      return entry;
    },
    set(digest, file) {
      used.files.set(digest, file);
      added.push(['file', digest, { manifest: file.manifest, objects: file.objects.map((object) => ({ document: object.document, manifest: object.manifest() })) }]);
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
        const entry = usedIdentity(key) ?? read.identities.get(key.inputs)?.get(key.manifest);
        if (entry) useIdentity(key, entry);
        return entry;
      },
      set(key, identity) {
        const entry = { hash: identity.hash, requires: identity.requires };
        useIdentity(key, entry);
        added.push(['identity', key.manifest, key.inputs, entry]);
      },
    },
    async save() {
      // The content hashes of every manifest this run loaded are kept, for each environment they
      // were found for, not only for the one this run planned: a CI job planning dev, then prod,
      // against one cache would otherwise find the other's hashes unused and write them away.
      const keptIdentities: Array<[StoreKey, () => StoredIdentity | undefined]> = [];
      let readIdentities = 0;
      for (const inputs of read.identities.keys()) {
        const group = read.identities.get(inputs);
        for (const manifest of group?.keys() ?? []) {
          readIdentities++;
          if (usedIdentity({ manifest, inputs }) === undefined && used.files.has(manifest.slice(0, manifest.indexOf('#')))) keptIdentities.push([{ manifest, inputs }, () => group!.get(manifest)]);
        }
      }
      let usedIdentities = 0;
      let usedAndRead = 0;
      for (const [inputs, group] of used.identities) {
        usedIdentities += group.size;
        const readGroup = read.identities.get(inputs);
        if (readGroup) for (const manifest of group.keys()) if (readGroup.has(manifest)) usedAndRead++;
      }
      const unused = read.files.size - countIn(used.files, read.files) + (readIdentities - usedAndRead - keptIdentities.length) + (read.stamps.size - countIn(used.stamps, read.stamps));
      const kept = used.files.size + usedIdentities + keptIdentities.length + used.stamps.size;
      // A new base when the journal would reach half the base's size, or an eighth of its entries
      // (each line is hashed and parsed on its own: the 10,000 content hashes a first plan after an
      // apply finds are cheaper to read in the base), or a quarter of the base went unused. Lines
      // are made only for a journal: a first run adds every entry, and writes them in a base.
      let whole = !base || unused > kept / 4 || base.journalLines + added.length > kept / 8;
      const lines = whole ? [] : added.map(journalLine);
      const appended = lines.reduce((n, line) => n + line.length, 0);
      whole ||= base!.journalBytes + appended > base!.bytes / 2;
      if (!whole && lines.length === 0) return;
      try {
        await mkdir(directory, { recursive: true });
        if (whole) {
          for (const [key, identity] of keptIdentities) {
            const found = identity();
            if (found) useIdentity(key, found);
          }
          base = { ...(await writeBase(directory, basePath, used, journalPath, prefix)), journalBytes: 0, journalLines: 0 };
          read = emptyRead();
        } else {
          // One write in append mode: lines of concurrent runs may follow one another, never mix within a write of this size on a local file system; a mixed one fails its digest and is passed over.
          await appendFile(journalPath(base!.generation), lines.join(''), { mode: 0o600 });
          base!.journalBytes += appended;
          base!.journalLines += lines.length;
        }
        for (const [digest, file] of used.files) read.files.set(digest, file);
        for (const [path, stamp] of used.stamps) read.stamps.set(path, stamp);
        for (const [inputs, group] of used.identities) for (const [manifest, identity] of group) identityGroup(read, inputs).set(manifest, identity);
      } catch {
        // A cache that cannot be written (a read-only or full disk) costs the next run time, not this one its result.
        return;
      }
      added.length = 0;
    },
  };
}

/**
 * Entries of one kind by key: those a base holds, each checked and made into what it stands for
 * when first asked for (one that is not of the shape it must be is left out, never trusted), under
 * those added since (a journal's, a run's once saved).
 */
class Layered<V> {
  readonly #base: Record<string, unknown>;
  readonly #make: (value: unknown) => V | undefined;
  readonly #known = new Map<string, V>();

  constructor(base: unknown, make: (value: unknown) => V | undefined) {
    this.#base = typeof base === 'object' && base !== null && !Array.isArray(base) ? (base as Record<string, unknown>) : {};
    this.#make = make;
  }

  get(key: string): V | undefined {
    const known = this.#known.get(key);
    if (known !== undefined || !Object.hasOwn(this.#base, key)) return known;
    const made = this.#make(this.#base[key]);
    if (made !== undefined) this.#known.set(key, made);
    return made;
  }

  /** Whether there is an entry of the key: one of the base's counts before it is checked. */
  has(key: string): boolean {
    return this.#known.has(key) || Object.hasOwn(this.#base, key);
  }

  set(key: string, value: V): void {
    this.#known.set(key, value);
  }

  *keys(): Iterable<string> {
    yield* this.#known.keys();
    for (const key of Object.keys(this.#base)) if (!this.#known.has(key)) yield key;
  }

  get size(): number {
    let size = Object.keys(this.#base).length;
    for (const key of this.#known.keys()) if (!Object.hasOwn(this.#base, key)) size++;
    return size;
  }
}

function emptyRead(): Read {
  return { files: empty(), identities: empty(), stamps: empty() };
}

function empty<V>(): Layered<V> {
  return new Layered<V>({}, () => undefined);
}

/** The identities of one set of inputs, made empty when the base has none. */
function identityGroup(read: Read, inputs: string): Layered<StoredIdentity> {
  let group = read.identities.get(inputs);
  if (!group) read.identities.set(inputs, (group = empty()));
  return group;
}

/** How many of a map's keys the entries read have. */
function countIn(used: ReadonlyMap<string, unknown>, read: Layered<unknown>): number {
  let n = 0;
  for (const key of used.keys()) if (read.has(key)) n++;
  return n;
}

/** Writes a new base of a new generation, then removes the journals of every other (older, or another run's) generation. */
async function writeBase(directory: string, basePath: string, entries: Used, journalPath: (generation: string) => string, prefix: string): Promise<{ generation: string; bytes: number }> {
  const generation = randomBytes(6).toString('hex');
  const texts: string[] = [];
  let offset = 0;
  const files: Stored['files'] = {};
  for (const [digest, file] of entries.files) {
    files[digest] = {
      manifest: file.manifest,
      objects: file.objects.map((object) => {
        const text = textOf(object);
        if (text === undefined) return { document: object.document, head: object.head };
        texts.push(text);
        offset += text.length;
        return { document: object.document, head: object.head, text: [offset - text.length, text.length, lineDigest(text)] };
      }),
    };
  }
  const body = ascii(JSON.stringify({ files, ...groupIdentities(entries.identities), stamps: Object.fromEntries(entries.stamps) } satisfies Stored));
  const temporary = `${basePath}.${generation}.tmp`;
  const text = `${HEADER}${generation} ${createHash('sha256').update(body, 'latin1').digest('hex')} ${body.length} ${offset}\n${body}${texts.join('')}`;
  try {
    // ASCII throughout: written a byte a character, without encoding it as UTF-8.
    await writeFile(temporary, text, { mode: 0o600, encoding: 'latin1' });
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

/** The JSON text (ASCII) of an object's whole manifest, where its head is not all of it; undefined where it is. */
function textOf(object: StoredObject): string | undefined {
  // Written again as it was read: a manifest nobody asked for is neither parsed nor read until then.
  if (object instanceof TextInBase) return object.text();
  const manifest = object.manifest();
  return (object.head as Manifest) === manifest ? undefined : ascii(JSON.stringify(manifest));
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

/** Identities as the base keeps them: grouped by their inputs, requirements once each. */
function groupIdentities(identities: Used['identities']): Pick<Stored, 'identities' | 'requires'> {
  const grouped: Stored['identities'] = {};
  const requires: Stored['requires'] = [];
  const requiresIndex = new Map<string, number>();
  for (const [inputs, group] of identities) {
    const stored: Stored['identities'][string] = (grouped[inputs] = {});
    for (const [manifest, identity] of group) {
      const text = JSON.stringify(identity.requires);
      let index = requiresIndex.get(text);
      if (index === undefined) requiresIndex.set(text, (index = requires.push(identity.requires) - 1));
      stored[manifest] = [identity.hash, index];
    }
  }
  return { identities: grouped, requires };
}

/**
 * The base's entries, generation and size, or undefined when it is missing, damaged or not of
 * this layout. Only its header and body are read; the texts after them are read from the file as
 * it is now, by a descriptor kept open until no object that could ask for one is left (a newer
 * base renamed over it leaves this one readable).
 */
function readBase(path: string): { read: Read; generation: string; bytes: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let kept = false;
  try {
    const head = readAt(fd, 0, HEADER_BYTES, true);
    const newline = head.indexOf(0x0a);
    if (newline < 0 || head.toString('latin1', 0, HEADER.length) !== HEADER) return undefined;
    const [generation, digest, length, textLength] = head.toString('latin1', HEADER.length, newline).split(' ');
    const [bodyBytes, textBytes] = [Number(length), Number(textLength)];
    if (!generation || !/^[0-9a-f]{12}$/.test(generation) || !Number.isSafeInteger(bodyBytes) || bodyBytes < 2 || !Number.isSafeInteger(textBytes)) return undefined;
    const size = fstatSync(fd).size;
    if (size !== newline + 1 + bodyBytes + textBytes) return undefined;
    const body = readAt(fd, newline + 1, bodyBytes);
    if (digest !== createHash('sha256').update(body).digest('hex')) return undefined;
    // ASCII, as written (and checked by its digest): decoded as bytes, one character each.
    const stored = JSON.parse(body.toString('latin1')) as Partial<Stored> | null;
    const texts = new TextSource(path, fd, newline + 1 + bodyBytes, textBytes);
    // Each set of requirements checked once: a repository's integrations share a few.
    const requires = (Array.isArray(stored?.requires) ? stored.requires : []).map(stringRecord);
    const identity = (value: unknown): StoredIdentity | undefined => {
      if (!Array.isArray(value) || typeof value[0] !== 'string' || !HASH.test(value[0]) || !Number.isInteger(value[1])) return undefined;
      const required = requires[value[1]];
      return required && { hash: value[0], requires: required };
    };
    const read: Read = {
      files: new Layered(stored?.files, (file) => storedFile(file as Stored['files'][string], texts)),
      identities: new Layered(stored?.identities, (group) => new Layered(group, identity)),
      // The parsed pair itself, once checked: nobody else holds it.
      stamps: new Layered(stored?.stamps, (stamp) => (Array.isArray(stamp) && stamp.length === 2 && storedStamp(stamp[0], stamp[1]) ? (stamp as StoredStamp) : undefined)),
    };
    kept = true;
    return { read, generation, bytes: size };
  } catch {
    return undefined;
  } finally {
    if (!kept) closeSync(fd);
  }
}

/** `length` bytes of a file from `position`: fewer only where it ends first and `short` allows it. */
function readAt(fd: number, position: number, length: number, short = false): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  if (done < length && !short) throw new Error('the file ends early');
  return done < length ? buffer.subarray(0, done) : buffer;
}

/** Texts read one at a time before the rest are read at once. */
const READ_ONE_BY_ONE = 64;

/** Closes a base's descriptor once nothing that could read from it is left. */
const closeWhenUnreachable = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
});

/**
 * The texts after a base's body, read one at a time when asked for: a plan asks for a few. A run
 * that asks for many (`intctl validate` checks every integration's selection) reads them all at
 * once after the first READ_ONE_BY_ONE, instead of a system call each.
 */
class TextSource {
  #reads = 0;
  #all: Buffer | undefined;

  constructor(
    readonly path: string,
    readonly fd: number,
    readonly start: number,
    readonly bytes: number,
  ) {
    closeWhenUnreachable.register(this, fd);
  }

  /** One text, checked against its digest; a text that is not what was written throws, naming the file. */
  read(offset: number, length: number, digest: string): string {
    let text: string | undefined;
    try {
      if (!this.#all && ++this.#reads > READ_ONE_BY_ONE) this.#all = readAt(this.fd, this.start, this.bytes);
      text = this.#all && offset + length <= this.#all.length ? this.#all.toString('latin1', offset, offset + length) : readAt(this.fd, this.start + offset, length).toString('latin1');
    } catch {
      // Told below, as a damaged text is.
    }
    if (text === undefined || lineDigest(text) !== digest) {
      throw new Error(`the manifest cache ${this.path} was damaged while intctl read it; run again, or with --no-cache`);
    }
    return text;
  }
}

/** Adds the journal's lines to the entries, passing over a damaged one; its size and number of lines. */
function readJournal(path: string, read: Read): { journalBytes: number; journalLines: number } {
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
      addEntry(read, JSON.parse(json) as JournalEntry);
    } catch {
      // A line that passed its digest but is not ours to read (another layout): passed over.
    }
  }
  return { journalBytes: text.length, journalLines };
}

/** Adds one entry of the journal when it has the shape its kind must have; anything else is left out, never trusted. */
function addEntry(read: Read, entry: JournalEntry): void {
  if (!Array.isArray(entry) || typeof entry[1] !== 'string') return;
  switch (entry[0]) {
    case 'file': {
      const file = entry[2];
      if (typeof file?.manifest === 'boolean' && Array.isArray(file.objects) && file.objects.every((o) => Number.isInteger(o?.document) && isManifest(o.manifest))) {
        const objects = file.objects.map(({ document, manifest }): StoredObject => ({ document, head: headOf(manifest), manifest: () => manifest }));
        read.files.set(entry[1], { manifest: file.manifest, objects });
      }
      return;
    }
    case 'identity': {
      const identity = typeof entry[2] === 'string' ? storedIdentity(entry[3]) : undefined;
      if (identity) identityGroup(read, entry[2]).set(entry[1], identity);
      return;
    }
    case 'stamp': {
      const stamp = storedStamp(entry[2], entry[3]);
      if (stamp) read.stamps.set(entry[1], stamp);
      return;
    }
  }
}

const HASH = /^sha256:[0-9a-f]{64}$/;

/** A content hash and its requirements, when they have the shape they must have. */
function storedIdentity(value: { hash?: unknown; requires?: unknown } | undefined): StoredIdentity | undefined {
  const { hash } = value ?? {};
  const requires = stringRecord(value?.requires);
  return typeof hash === 'string' && HASH.test(hash) && requires ? { hash, requires } : undefined;
}

/** Requirements (name to range), when they are that. */
function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : undefined;
}

function storedStamp(stamp: unknown, digest: unknown): StoredStamp | undefined {
  return typeof stamp === 'string' && typeof digest === 'string' ? [stamp, digest] : undefined;
}

/** A file of the base when it has the shape it must have: each object's whole manifest read from the texts when first asked for. */
function storedFile(file: Stored['files'][string] | undefined, texts: TextSource): StoredFile | undefined {
  if (typeof file?.manifest !== 'boolean' || !Array.isArray(file.objects)) return undefined;
  const objects: StoredObject[] = [];
  for (const object of file.objects) {
    const { document, head, text } = object ?? {};
    if (!Number.isInteger(document) || !isManifest(head)) return undefined;
    if (text === undefined) {
      objects.push(new WholeHead(document, head));
      continue;
    }
    if (!Array.isArray(text) || !Number.isSafeInteger(text[0]) || !Number.isSafeInteger(text[1]) || typeof text[2] !== 'string') return undefined;
    objects.push(new TextInBase(document, head, texts, text));
  }
  return { manifest: file.manifest, objects };
}

/** Whether a value is an object with a kind: what the schemas checked when it was kept. */
function isManifest(value: unknown): value is Manifest {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/** An object of the base whose head is the whole of it. */
class WholeHead implements StoredObject {
  constructor(
    readonly document: number,
    readonly head: ManifestHead,
  ) {}

  manifest(): Manifest {
    return this.head as Manifest;
  }
}

/** An object of the base whose whole manifest is a text after the body: read when asked for, and written into a new base as it was read. */
class TextInBase implements StoredObject {
  constructor(
    readonly document: number,
    readonly head: ManifestHead,
    readonly texts: TextSource,
    readonly at: [offset: number, length: number, digest: string],
  ) {}

  manifest(): Manifest {
    return JSON.parse(this.text()) as Manifest;
  }

  text(): string {
    return this.texts.read(...this.at);
  }
}
