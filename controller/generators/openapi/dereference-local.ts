import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';

/**
 * The `$ref` machinery of the json-schema-ref-parser that @apidevtools/swagger-parser itself uses
 * (its own copy, which may differ from the one at the top of node_modules).
 */
interface RefLibrary {
  normalizeArgs(args: IArguments): { path: string; schema: object; options: DereferenceOptions };
  isAllowed$Ref(value: unknown, options: DereferenceOptions): boolean;
  isExternal$Ref(value: unknown): boolean;
  dereferenceValue($ref: Record<string, unknown>, resolved: unknown): unknown;
  join(base: string, token: string): string;
  resolveUrl(from: string, to: string): string;
  cwd(): string;
}

interface DereferenceOptions {
  dereference?: { circular?: boolean | 'ignore'; externalReferenceResolution?: string; excludedPathMatcher?: (path: string) => boolean; preservedProperties?: unknown; onDereference?: unknown; onCircular?: unknown };
  timeoutMs?: number;
}

interface Refs {
  circular: boolean;
  _root$Ref: { path: string };
  _resolve(path: string, pathFromRoot: string, options: DereferenceOptions): { value: unknown; path: string; circular: boolean } | null;
}

interface Parser {
  schema: unknown;
  $refs: Refs;
  resolve(path: string, schema: object, options: DereferenceOptions): Promise<unknown>;
}

let library: RefLibrary | undefined;

function refLibrary(): RefLibrary {
  if (library) return library;
  const require = createRequire(import.meta.url);
  const from = createRequire(require.resolve('@apidevtools/swagger-parser'));
  const root = dirname(from.resolve('@apidevtools/json-schema-ref-parser/package.json'));
  const load = (module: string): Record<string, unknown> => from(`${root}/dist/lib/${module}`) as Record<string, unknown>;
  const index = load('index.js') as { jsonSchemaParserNormalizeArgs: RefLibrary['normalizeArgs'] };
  const ref = (load('ref.js') as { default: { isAllowed$Ref: RefLibrary['isAllowed$Ref']; isExternal$Ref: RefLibrary['isExternal$Ref']; dereference: RefLibrary['dereferenceValue'] } }).default;
  const pointer = (load('pointer.js') as { default: { join: RefLibrary['join'] } }).default;
  const url = load('util/url.js') as { resolve: RefLibrary['resolveUrl']; cwd: RefLibrary['cwd'] };
  library = {
    normalizeArgs: index.jsonSchemaParserNormalizeArgs,
    isAllowed$Ref: (value, options) => ref.isAllowed$Ref(value, options),
    isExternal$Ref: (value) => ref.isExternal$Ref(value),
    dereferenceValue: ($ref, resolved) => ref.dereference($ref, resolved),
    join: (base, token) => pointer.join(base, token),
    resolveUrl: url.resolve,
    cwd: url.cwd,
  };
  return library;
}

/**
 * SwaggerParser whose `dereference` gives the library's result in a fraction of its time. With
 * `circular: 'ignore'` (what validation asks for) the library walks an object again every time
 * it reaches it: a schema shared by a thousand operations is walked a thousand times, and so is
 * everything it holds, which in GitHub's description was a third of generating it. Here an
 * object walked once without meeting a circular `$ref` is not walked again: no `$ref` is left in
 * it and none of its objects is an ancestor of another, so walking it again would change nothing
 * and find nothing. Everything else is the library's walk, step for step (dereference.js of
 * json-schema-ref-parser 14), with its own functions for references, pointers and URLs, so the
 * document comes out the same: each `$ref` replaced by the same value, the same ones left where
 * they are circular, the same errors. Options the library offers that intctl never sets
 * (preserved properties, callbacks, a timeout) are refused rather than ignored.
 */
export class LocalSwaggerParser extends SwaggerParser {
  /** What the dereference wrote, in order: the object, the key, and the value it held before. */
  private readonly writes: Write[] = [];

  // The library's signature: (path?, schema?, options?, callback?), normalised as it does.
  override async dereference(): Promise<never> {
    // eslint-disable-next-line prefer-rest-params
    const args = refLibrary().normalizeArgs(arguments);
    const self = this as unknown as Parser;
    await self.resolve(args.path, args.schema, args.options);
    dereferenceParsed(self, args.options, this.writes);
    return self.schema as never;
  }

  /**
   * Gives the document back as it was before it was dereferenced (in place, as the library does):
   * every value the walk replaced is put back, the last first, so that a document can be checked
   * dereferenced without a copy of it. The walk is the only writer: it replaces a member that is
   * a `$ref`, and marks a `$ref` that is circular, and nothing else in the library writes into the
   * document when no external file or URL is read. Afterwards the document holds the same objects,
   * with the same values, as before; the dereferenced result shares them, so it is read before.
   */
  restore(): void {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const write = this.writes[i]!;
      write.target[write.key] = write.before;
    }
    this.writes.length = 0;
  }
}

interface Write {
  target: Record<string, unknown>;
  key: string;
  before: unknown;
}

function dereferenceParsed(parser: Parser, options: DereferenceOptions, writes: Write[]): void {
  const d = options.dereference ?? {};
  if (d.preservedProperties || d.onDereference || d.onCircular || options.timeoutMs) {
    throw new Error('dereference: an option intctl does not use was given');
  }
  const walk = new Walk(parser.$refs, options, refLibrary(), writes);
  const dereferenced = walk.crawl(parser.schema, parser.$refs._root$Ref.path, '#');
  parser.$refs.circular = dereferenced.circular;
  parser.schema = dereferenced.value;
}

interface Crawled {
  value: unknown;
  circular: boolean;
}

class Walk {
  private readonly parents = new Set<unknown>();
  private readonly cache = new Map<string, Crawled>();
  /** Objects walked without meeting a circular `$ref`: walking them again changes nothing. */
  private readonly done = new WeakSet<object>();
  private readonly ignore: boolean;
  private readonly isExcludedPath: (path: string) => boolean;
  /** The library's default matcher, `() => false`: no path is excluded, so no path needs making to ask. */
  private readonly excludesNothing: boolean;

  constructor(
    private readonly refs: Refs,
    private readonly options: DereferenceOptions,
    private readonly lib: RefLibrary,
    private readonly writes: Write[],
  ) {
    this.ignore = options.dereference?.circular === 'ignore';
    this.isExcludedPath = options.dereference?.excludedPathMatcher ?? (() => false);
    this.excludesNothing = excludesNothing(this.isExcludedPath);
  }

  crawl(obj: unknown, path: string, pathFromRoot: string): Crawled {
    const result: Crawled = { value: obj, circular: false };
    // The library skips objects it processed unless circular references are ignored; intctl always ignores them.
    if (!this.ignore) throw new Error('dereference: only circular "ignore" is supported');
    if (!obj || typeof obj !== 'object' || ArrayBuffer.isView(obj) || this.isExcludedPath(pathFromRoot)) return result;
    if (this.done.has(obj)) return result;
    this.parents.add(obj);
    if (this.lib.isAllowed$Ref(obj, this.options)) {
      const dereferenced = this.dereference$Ref(obj as Record<string, unknown>, path, pathFromRoot);
      result.circular = dereferenced.circular;
      result.value = dereferenced.value;
    } else {
      const record = obj as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        // What the library's walk does with a primitive, or with an object walked before to no
        // change, is nothing; its paths are only made when something may use them.
        const member = record[key];
        if (this.excludesNothing && (member === null || typeof member !== 'object' || this.done.has(member))) continue;
        const keyPath = this.lib.join(path, key);
        const keyPathFromRoot = this.lib.join(pathFromRoot, key);
        if (this.isExcludedPath(keyPathFromRoot)) continue;
        const value = record[key];
        let circular = false;
        if (this.lib.isAllowed$Ref(value, this.options)) {
          const dereferenced = this.dereference$Ref(value as Record<string, unknown>, keyPath, keyPathFromRoot);
          circular = dereferenced.circular;
          if (record[key] !== dereferenced.value) this.write(record, key, dereferenced.value);
        } else if (!this.parents.has(value)) {
          const dereferenced = this.crawl(value, keyPath, keyPathFromRoot);
          circular = dereferenced.circular;
          if (record[key] !== dereferenced.value) this.write(record, key, dereferenced.value);
        } else {
          circular = this.foundCircularReference();
        }
        result.circular = result.circular || circular;
      }
      if (!result.circular) this.done.add(record);
    }
    this.parents.delete(obj);
    return result;
  }

  private dereference$Ref($ref: Record<string, unknown>, path: string, pathFromRoot: string): Crawled {
    const onCwd = this.lib.isExternal$Ref($ref) && this.options.dereference?.externalReferenceResolution === 'root';
    const $refPath = this.lib.resolveUrl(onCwd ? this.lib.cwd() : path, $ref.$ref as string);
    const cache = this.cache.get($refPath);
    if (cache) {
      if (!cache.circular) {
        const refKeys = Object.keys($ref);
        if (refKeys.length > 1) {
          const extraKeys: Record<string, unknown> = {};
          for (const key of refKeys) {
            if (key !== '$ref' && !(key in (cache.value as object))) extraKeys[key] = $ref[key];
          }
          return { circular: cache.circular, value: Object.assign({}, cache.value, extraKeys) };
        }
        return cache;
      }
      const cached = cache.value as Record<string, unknown>;
      if (!(typeof cached === 'object' && '$ref' in cached && '$ref' in $ref) || cached.$ref === $ref.$ref) return cache;
    }
    const pointer = this.refs._resolve($refPath, path, this.options);
    if (pointer === null) return { circular: false, value: null };
    const directCircular = pointer.circular;
    let circular = directCircular || this.parents.has(pointer.value);
    if (circular) this.foundCircularReference();
    let dereferencedValue = this.lib.dereferenceValue($ref, pointer.value);
    if (!circular) {
      const dereferenced = this.crawl(dereferencedValue, pointer.path, pathFromRoot);
      circular = dereferenced.circular;
      dereferencedValue = dereferenced.value;
    }
    if (circular && !directCircular && this.ignore) dereferencedValue = $ref;
    if (directCircular) this.write(dereferencedValue as Record<string, unknown>, '$ref', pathFromRoot);
    const dereferencedObject: Crawled = { circular, value: dereferencedValue };
    if (Object.keys($ref).length === 1) this.cache.set($refPath, dereferencedObject);
    return dereferencedObject;
  }

  /** A write into the document, kept so that LocalSwaggerParser.restore can undo it. */
  private write(target: Record<string, unknown>, key: string, value: unknown): void {
    this.writes.push({ target, key, before: target[key] });
    target[key] = value;
  }

  private foundCircularReference(): true {
    this.refs.circular = true;
    return true;
  }
}

function excludesNothing(matcher: (path: string) => boolean): boolean {
  return matcher.length === 0 && matcher.toString().replace(/\s+/g, '') === '()=>false';
}
