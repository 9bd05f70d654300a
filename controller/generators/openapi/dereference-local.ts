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
  // The library's signature: (path?, schema?, options?, callback?), normalised as it does.
  override async dereference(): Promise<never> {
    // eslint-disable-next-line prefer-rest-params
    const args = refLibrary().normalizeArgs(arguments);
    const self = this as unknown as Parser;
    await self.resolve(args.path, args.schema, args.options);
    dereferenceParsed(self, args.options);
    return self.schema as never;
  }
}

/**
 * The document as the library may dereference it in place, the document itself left as it was:
 * every object or array that holds a `$ref` at any depth is a shallow copy (its members that hold
 * one copies too), everything else is shared. The library writes only into an object that holds a
 * `$ref` (it replaces a member that is one; it marks one that is circular), and what it is given
 * has the shape of a full copy (structuredClone): one counterpart for each object, shared where
 * the document shares it (a YAML alias). So it is dereferenced the same way and checked to the
 * same faults, for a fraction of the memory: the schemas, examples and descriptions that refer to
 * nothing, most of a large document, are not copied. The recursion goes as deep as the document:
 * loadOpenApi refuses one nested deeper than 200 levels before it gets here.
 */
export function copyHoldingRefs<T extends object>(document: T): T {
  return (copyIfHoldingRef(document, new Map()) ?? document) as T;
}

/** The copy of a node that holds a `$ref`, made once (`copies`); undefined for one that holds none. */
function copyIfHoldingRef(node: object, copies: Map<object, object>): object | undefined {
  const known = copies.get(node);
  if (known !== undefined) return known;
  let copy: object | undefined;
  if (Array.isArray(node)) {
    let list: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i];
      if (value === null || typeof value !== 'object') continue;
      const copied = copyIfHoldingRef(value, copies);
      if (copied === undefined) continue;
      list ??= node.slice();
      list[i] = copied;
    }
    copy = list;
  } else {
    const record = node as Record<string, unknown>;
    let fields: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (value === null || typeof value !== 'object') continue;
      const copied = copyIfHoldingRef(value, copies);
      if (copied === undefined) continue;
      fields ??= { ...record };
      fields[key] = copied;
    }
    copy = fields ?? (Object.hasOwn(record, '$ref') ? { ...record } : undefined);
  }
  if (copy !== undefined) copies.set(node, copy);
  return copy;
}

function dereferenceParsed(parser: Parser, options: DereferenceOptions): void {
  const d = options.dereference ?? {};
  if (d.preservedProperties || d.onDereference || d.onCircular || options.timeoutMs) {
    throw new Error('dereference: an option intctl does not use was given');
  }
  const walk = new Walk(parser.$refs, options, refLibrary());
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
          if (record[key] !== dereferenced.value) record[key] = dereferenced.value;
        } else if (!this.parents.has(value)) {
          const dereferenced = this.crawl(value, keyPath, keyPathFromRoot);
          circular = dereferenced.circular;
          if (record[key] !== dereferenced.value) record[key] = dereferenced.value;
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
    if (directCircular) (dereferencedValue as Record<string, unknown>).$ref = pathFromRoot;
    const dereferencedObject: Crawled = { circular, value: dereferencedValue };
    if (Object.keys($ref).length === 1) this.cache.set($refPath, dereferencedObject);
    return dereferencedObject;
  }

  private foundCircularReference(): true {
    this.refs.circular = true;
    return true;
  }
}

function excludesNothing(matcher: (path: string) => boolean): boolean {
  return matcher.length === 0 && matcher.toString().replace(/\s+/g, '') === '()=>false';
}
