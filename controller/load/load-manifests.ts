import { createHash } from 'node:crypto';
import type { Connection, Environment, Integration } from '../generated/manifests.ts';
import { headOf, type LoadedObject, type Manifest, type ManifestHead, type ManifestSet, type Position, type YamlDocument } from '../core/manifest.ts';
import { sortProblems, type Problem } from '../core/problem.ts';
import { validateDocument } from '../validate/validate-schema.ts';
import { normalizeRepoPath } from '../core/repo-path.ts';
import { validateReferences } from '../validate/validate-references.ts';
import { checkCertificates } from '../validate/check-certificates.ts';
import type { PathCheck, RepoEntry, RepositoryReader } from '../core/repository-reader.ts';
import { detectWideEncoding, encodeAscii } from '../core/text-encoding.ts';
import { deepFreeze } from '../core/deep-freeze.ts';
import { DEFAULT_YAML_LIMITS, parseYamlFile, positionsIn, yamlText, type YamlLimits } from './parse-yaml-file.ts';

export interface LoadResult {
  set: ManifestSet;
  problems: Problem[];
  /**
   * YAML files looked at, those that held objects of our API group, those read in this load (the
   * others were skipped for their size or came from the cache), and those parsed (read, and not
   * known by their content to a ContentCache).
   */
  stats: { files: number; manifestFiles: number; read: number; parsed: number };
}

/** What loading made of one file: its schema-valid objects, its own problems, and whether it is ours. */
export interface LoadedFile {
  objects: LoadedObject[];
  problems: Problem[];
  manifest: boolean;
}

/** What an earlier load made of the file at a path, and from what: its content id and the limits it was read within. */
export interface CachedFile {
  id: string;
  limits: string;
  file: LoadedFile;
}

/**
 * Results of earlier loads by path, for a reader that knows content ids (RepoEntry.id): a file whose
 * id is unchanged is neither read nor parsed again. A Map will do.
 */
export interface LoadCache {
  get(path: string): CachedFile | undefined;
  set(path: string, value: CachedFile): void;
}

/**
 * What a file's content made, as plain data that can be kept across runs: whether it is ours, and
 * its objects with the index of the document each was in. Only for files that loaded without a
 * problem; positions are found again from the file's text when a later problem asks for one.
 */
export interface StoredFile {
  manifest: boolean;
  objects: StoredObject[];
}

/**
 * One object of a stored file: its head (ManifestHead) at hand, and its whole manifest, at hand
 * too or read from where the cache keeps it when first asked for (a cache may throw then, when
 * what it kept can no longer be read).
 */
export interface StoredObject {
  document: number;
  head: ManifestHead;
  manifest(): Manifest;
}

/**
 * Results by the content of a file (a digest of its bytes and the limits it was read within),
 * kept across runs by a loader that has no content ids (the CLI reading a directory): a file whose
 * bytes are unchanged is read and hashed, but neither parsed nor validated again.
 */
export interface ContentCache {
  get(digest: string): StoredFile | undefined;
  set(digest: string, file: StoredFile): void;
  /** The digest the file at a path had when it last had this stamp (RepoEntry.stamp), where known. */
  stamped?(path: string, stamp: string): string | undefined;
  /** Keeps the digest of the file at a path read with this stamp. */
  stamp?(path: string, stamp: string, digest: string): void;
}

/** Files without our API group's name cannot hold our objects: third-party YAML is never parsed. */
const MARKER = 'intctl.dev';
const READ_CONCURRENCY = 32;

/**
 * Loads and validates every manifest of a repository: reads each YAML file (skipping those that
 * cannot hold our objects), parses it within limits, validates each object against its schema,
 * then across objects, and the connections' certificates at `now` (expired, expiring within 30
 * days). Never throws for bad input; every problem found is returned at once.
 * With a cache, a file whose content id is unchanged costs neither a read nor a parse; with
 * `contents`, a file whose bytes were loaded before (in this run or an earlier one) costs a read
 * and a hash, and one whose stamp is unchanged (a reader that can read at once gives stamps) costs
 * neither: its text is read only if a problem asks where something in it is. Validation across
 * objects always runs over the whole set.
 */
export async function loadManifests(
  reader: RepositoryReader,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  cache?: LoadCache,
  now: number = Date.now(),
  contents?: ContentCache,
): Promise<LoadResult> {
  const entries = await reader.listYamlFiles();
  const set: ManifestSet = { integrations: [], connections: [], environments: [] };
  const problems: Problem[] = [];
  const oversized: string[] = [];
  let manifestFiles = 0;
  let read = 0;
  let parsed = 0;
  const parse = (path: string, bytes: Uint8Array): ReturnType<typeof loadFile> => {
    parsed++;
    return loadFile(path, bytes, limits);
  };
  // Results depend on the limits too, so a cache shared across limits never mixes them up.
  const limitsKey = `${limits.maxFileBytes}/${limits.maxDepth}/${limits.maxAliases}`;

  // A file whose stamp is unchanged since it was read: what its bytes made then, without reading them.
  const readNow = reader.readNow?.bind(reader);
  const byStamp = (path: string, stamp: string | undefined): LoadedFile | undefined => {
    if (stamp === undefined || !readNow || !contents?.stamped) return undefined;
    const digest = contents.stamped(path, stamp);
    const stored = digest?.startsWith(`${limitsKey}:`) ? contents.get(digest) : undefined;
    return stored && fromStored(path, digest!, stored, () => yamlText(readNow(path)));
  };

  // What each file made, by its place in the listing: a file whose blob id is unchanged is taken
  // from the cache at once, the others are read 32 at a time. Objects are then gathered in listing
  // order (by path, as listYamlFiles gives it), so output is stable whatever order reads end in.
  const made: Array<LoadedFile | undefined> = new Array(entries.length);
  const misses: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.size > limits.maxFileBytes) {
      oversized.push(entry.path);
      continue;
    }
    const cached = cache && entry.id !== undefined ? cache.get(entry.path) : undefined;
    const known = cached && cached.id === entry.id && cached.limits === limitsKey ? cached.file : byStamp(entry.path, entry.stamp);
    if (known) made[i] = known;
    else misses.push(i);
  }
  const loadOne = async (index: number): Promise<void> => {
    const entry = entries[index]!;
    read++;
    const bytes = await reader.read(entry.path);
    let file: LoadedFile;
    if (contents) {
      const digest = `${limitsKey}:${createHash('sha256').update(bytes).digest('hex')}`;
      file = loadThroughContents(entry.path, bytes, digest, contents, parse);
      if (entry.stamp !== undefined && file.problems.length === 0) contents.stamp?.(entry.path, entry.stamp, digest);
    } else file = parse(entry.path, bytes).file;
    if (cache && entry.id !== undefined) cache.set(entry.path, { id: entry.id, limits: limitsKey, file });
    made[index] = file;
  };
  for (let i = 0; i < misses.length; i += READ_CONCURRENCY) {
    await Promise.all(misses.slice(i, i + READ_CONCURRENCY).map(loadOne));
  }
  const sorted = isSortedByPath(entries);
  for (const file of made) {
    if (!file) continue;
    problems.push(...file.problems);
    if (file.manifest) manifestFiles++;
    for (const object of file.objects) {
      if (object.head.kind === 'Integration') set.integrations.push(object as LoadedObject<Integration>);
      else if (object.head.kind === 'Connection') set.connections.push(object as LoadedObject<Connection>);
      else set.environments.push(object as LoadedObject<Environment>);
    }
  }
  // Objects in file order, a file's in document order (the sort is stable); a listing in path order gives it already.
  if (!sorted) {
    for (const list of [set.integrations, set.connections, set.environments] as LoadedObject[][]) {
      list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    }
  }

  const paths = new Map<string, PathCheck>();
  for (const integration of set.integrations) {
    const path = integration.head.spec.source.path;
    const normalized = path === undefined ? undefined : normalizeRepoPath(path);
    if (normalized !== undefined && !paths.has(normalized)) paths.set(normalized, await reader.checkPath(normalized));
  }
  for (const path of oversized) {
    if (paths.has(path)) continue; // a large specification document is the generator's to read
    problems.push({
      file: path,
      line: 1,
      column: 1,
      severity: 'error',
      reason: 'FileTooLarge',
      message: `file is over the limit of ${limits.maxFileBytes} bytes (--max-file-size); it was not read`,
    });
  }

  problems.push(...withoutCascade(validateReferences(set, paths), problems));
  problems.push(...checkCertificates(set, now));
  return { set, problems: sortProblems(problems), stats: { files: entries.length, manifestFiles, read, parsed } };
}

function isSortedByPath(entries: readonly RepoEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1]!.path > entries[i]!.path) return false;
  return true;
}

/** A file loaded from what its content made before, or loaded and, when it has no problem, kept by its content. */
function loadThroughContents(path: string, bytes: Uint8Array, digest: string, contents: ContentCache, parse: (path: string, bytes: Uint8Array) => ReturnType<typeof loadFile>): LoadedFile {
  const stored = contents.get(digest);
  const text = stored && stored.objects.length > 0 ? yamlText(bytes) : '';
  if (stored && text !== undefined) return fromStored(path, digest, stored, () => text);
  const { file, documents } = parse(path, bytes);
  if (file.problems.length === 0 && file.objects.every((object) => plainData(object.manifest))) {
    contents.set(digest, { manifest: file.manifest, objects: file.objects.map((object, i) => ({ document: documents[i]!, head: headOf(object.manifest), manifest: () => object.manifest })) });
    return { ...file, objects: file.objects.map((object, i) => ({ ...object, contentKey: `${digest}#${documents[i]!}` })) };
  }
  return file;
}

/**
 * The objects a file's content made, as stored: positions are found from its text, got (and
 * parsed) only when a problem asks where something is. A file read by stamp is read then; should
 * it have changed since, or no longer decode, positions are those of what it holds by then, or the
 * top of the file.
 */
function fromStored(path: string, digest: string, stored: StoredFile, text: () => string | undefined): LoadedFile {
  let place: ReturnType<typeof positionsIn> | undefined;
  const at = (document: number, field: readonly (string | number)[], wantKey: boolean): Position => {
    if (!place) {
      let found: string | undefined;
      try {
        found = text();
      } catch {
        // Gone or unreadable since it was listed: the top of the file is all that can be said.
      }
      place = positionsIn(found ?? '');
    }
    return place(document, field, wantKey);
  };
  const objects = stored.objects.map((object): LoadedObject => new StoredLoadedObject(object, path, `${digest}#${object.document}`, at));
  return { objects, problems: [], manifest: stored.manifest };
}

/**
 * An object of a file the cache kept: its head at once, its whole manifest (frozen, as loaded
 * manifests are) when first read. A class, with `manifest` a getter of it: one object per
 * manifest, made for every file of a repository on every run.
 */
class StoredLoadedObject implements LoadedObject {
  readonly head: ManifestHead;
  #manifest: Manifest | undefined;
  readonly #stored: StoredObject;
  readonly #at: (document: number, field: readonly (string | number)[], wantKey: boolean) => Position;

  constructor(
    stored: StoredObject,
    readonly file: string,
    readonly contentKey: string,
    at: (document: number, field: readonly (string | number)[], wantKey: boolean) => Position,
  ) {
    this.head = deepFreeze(stored.head);
    this.#stored = stored;
    this.#at = at;
  }

  get manifest(): Manifest {
    return (this.#manifest ??= deepFreeze(this.#stored.manifest()));
  }

  locate(field: readonly (string | number)[]): Position {
    return this.#at(this.#stored.document, field, false);
  }

  locateKey(field: readonly (string | number)[]): Position {
    return this.#at(this.#stored.document, field, true);
  }
}

/** Whether a value comes back the same from JSON: no number JSON cannot write (what a schema lets through is otherwise plain). */
function plainData(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return typeof value !== 'undefined' && typeof value !== 'bigint';
  return Object.values(value).every(plainData);
}

/** One file on its own: parsed within limits, each document validated against its schema; with the index of the document each object came from. */
function loadFile(path: string, bytes: Uint8Array, limits: YamlLimits): { file: LoadedFile; documents: number[] } {
  if (!mentionsMarker(bytes)) return { file: { objects: [], problems: [], manifest: false }, documents: [] };
  const parsed = parseYamlFile(path, bytes, limits);
  const problems = [...parsed.problems];
  const objects: LoadedObject[] = [];
  const documents: number[] = [];
  let ours = parsed.problems.length > 0;
  for (const doc of parsed.documents) {
    const notMapping = notAMapping(doc);
    if (notMapping) {
      problems.push(notMapping);
      ours = true;
      continue;
    }
    const result = validateDocument(doc);
    problems.push(...result.problems);
    if (result.problems.length > 0) ours = true;
    if (!result.object) continue;
    ours = true;
    deepFreeze(result.object.manifest);
    objects.push(result.object);
    documents.push(doc.index);
  }
  return { file: { objects, problems, manifest: ours }, documents };
}

/** Problems that keep a file's objects from being known at all: nothing of the file was loaded. */
const UNREADABLE: ReadonlySet<Problem['reason']> = new Set(['NotUtf8', 'YamlSyntax', 'YamlAliasLimit', 'NestingTooDeep', 'FileTooLarge', 'NotAMapping']);

/**
 * References to names that do not exist are left out while a manifest file could not be read: the
 * names may well be defined in it, and "environment dev does not exist" for every integration would
 * bury the one problem that matters (a file saved as UTF-16, a syntax error). They show once it reads.
 */
function withoutCascade(found: Problem[], fileProblems: readonly Problem[]): Problem[] {
  if (!fileProblems.some((p) => p.severity === 'error' && UNREADABLE.has(p.reason))) return found;
  return found.filter((p) => p.reason !== 'DanglingReference');
}

/**
 * A document of a file of ours that is not a mapping (a list of manifests, a bare string) would
 * otherwise be passed over in silence, and what it holds pruned as if deleted. Empty documents
 * (a trailing `---`) are fine.
 */
function notAMapping(doc: YamlDocument): Problem | undefined {
  const value = doc.value;
  if (value === null || value === undefined || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  const what = Array.isArray(value) ? 'a list' : `a ${typeof value === 'string' ? 'string' : typeof value}`;
  return {
    file: doc.file,
    ...doc.locate([]),
    severity: 'error',
    reason: 'NotAMapping',
    message: `document ${doc.index + 1} is ${what}, not a mapping: each document of a manifest file must be one object (apiVersion, kind, metadata, spec)`,
  };
}

/** Whether the file names our API group, in UTF-8 or in a wide encoding (which parsing then refuses by name). */
function mentionsMarker(bytes: Uint8Array): boolean {
  if (contains(bytes, MARKER)) return true;
  const wide = detectWideEncoding(bytes);
  return wide !== undefined && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(encodeAscii(MARKER, wide.encoding));
}

function contains(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(needle);
}
