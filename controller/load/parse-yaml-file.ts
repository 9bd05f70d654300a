import type { Document, LineCounter } from 'yaml';
import { yamlModule as yaml } from '../core/lazy-module.ts';
import type { Position, YamlDocument } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import { decodeUtf8Text } from '../core/text-encoding.ts';
import { findTooDeep } from '../core/yaml-depth.ts';
import { loadPlainYaml } from './plain-yaml.ts';

export interface YamlLimits {
  /** Largest file read, in bytes. */
  maxFileBytes: number;
  /** Deepest nesting of collections in one document. */
  maxDepth: number;
  /** Most alias expansions in one document (the defence against "billion laughs"). */
  maxAliases: number;
  /**
   * Largest specification read, in bytes (`--max-spec-size`): generous, since GitHub's own
   * OpenAPI description is 13 MB, but bounded, since parsing costs many times the size in memory.
   */
  maxSpecBytes?: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxFileBytes: 1024 * 1024, maxDepth: 64, maxAliases: 100, maxSpecBytes: 32 * 1024 * 1024 };

/**
 * Where the value (or key) at a path of a document of `text` starts: the text is parsed with
 * positions on the first call, which most loads never make (only a problem asks where it is).
 */
export function positionsIn(text: string): (index: number, path: readonly (string | number)[], wantKey: boolean) => Position {
  let careful: Document.Parsed[] | undefined;
  let lines: LineCounter | undefined;
  return (index, path, wantKey) => {
    if (!careful) {
      const { Composer, LineCounter, Parser } = yaml();
      lines = new LineCounter();
      careful = Array.from(new Composer({ prettyErrors: false }).compose(new Parser(lines.addNewLine).parse(text)));
    }
    const doc = careful[index];
    const { line, col } = lines!.linePos(doc ? nodeAt(doc, path, wantKey) : 0);
    return { line, column: col };
  };
}

/** The text of a file's bytes as parseYamlFile reads it (UTF-8, without a byte order mark), or undefined when it is not UTF-8. */
export function yamlText(bytes: Uint8Array): string | undefined {
  const decoded = decodeUtf8Text(bytes);
  if (typeof decoded !== 'string') return undefined;
  return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
}

export interface ParsedYamlFile {
  documents: YamlDocument[];
  problems: Problem[];
}

/**
 * Parses a file of one or more YAML documents with hard limits: valid UTF-8 only (a file saved
 * as UTF-16 or UTF-32 is refused naming its encoding; a UTF-8 byte order mark is allowed), bounded
 * nesting and alias expansion. Problems come back as values with their line and column; the
 * documents of a file with any problem are not returned, so half a file is never applied.
 */
export function parseYamlFile(file: string, bytes: Uint8Array, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParsedYamlFile {
  const at = (line: number, column: number, reason: Problem['reason'], message: string): ParsedYamlFile => ({
    documents: [],
    problems: [{ file, line, column, severity: 'error', reason, message }],
  });

  if (bytes.byteLength > limits.maxFileBytes) {
    return at(1, 1, 'FileTooLarge', `file is ${bytes.byteLength} bytes, over the limit of ${limits.maxFileBytes} bytes (--max-file-size)`);
  }
  const decoded = decodeUtf8Text(bytes);
  if (typeof decoded !== 'string') return at(decoded.line, decoded.column, 'NotUtf8', decoded.message);
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;

  // Most manifests are plain YAML: read those quickly, and parse with positions only if something
  // asks where a field is (a problem to report), which is rare.
  const plain = loadPlainYaml(text, limits.maxDepth - 1);
  if (plain) {
    const place = positionsIn(text);
    const documents = plain.map((value, index): YamlDocument => ({
      file,
      index,
      value,
      locate: (path) => place(index, path, false),
      locateKey: (path) => place(index, path, true),
    }));
    return { documents, problems: [] };
  }

  const { Composer, LineCounter, Parser } = yaml();
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const pos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  for (const token of tokens) {
    const tooDeep = findTooDeep(token, limits.maxDepth);
    if (tooDeep !== undefined) {
      const p = pos(tooDeep);
      return at(p.line, p.column, 'NestingTooDeep', `document is nested more than ${limits.maxDepth} levels deep`);
    }
  }

  const docs = Array.from(new Composer({ prettyErrors: false }).compose(tokens));
  const problems: Problem[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) {
      const p = pos(error.pos[0]);
      problems.push({ file, ...p, severity: 'error', reason: 'YamlSyntax', message: cleanYamlMessage(error.message) });
    }
    // A tag plain YAML does not know (`!Ref`, `!!js/function`) would silently become a string.
    for (const warning of doc.warnings) {
      if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
      const tag = (/tag: (\S+)/.exec(warning.message)?.[1] ?? 'a tag').replace(/^tag:yaml\.org,2002:/, '!!');
      problems.push({ file, ...pos(warning.pos[0]), severity: 'error', reason: 'YamlSyntax', message: `the tag ${tag} is not plain YAML; manifests take no custom or language tags (write the value out)` });
    }
  }
  if (problems.length > 0) return { documents: [], problems };

  const documents: YamlDocument[] = [];
  for (const [index, doc] of docs.entries()) {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliases });
    } catch (error) {
      const p = pos(doc.range[0]);
      const message = error instanceof ReferenceError && /alias/i.test(error.message)
        ? `document expands more than ${limits.maxAliases} aliases, refused as a resource exhaustion attack`
        : `document cannot be read: ${(error as Error).message}`;
      return at(p.line, p.column, error instanceof ReferenceError ? 'YamlAliasLimit' : 'YamlSyntax', message);
    }
    documents.push({
      file,
      index,
      value,
      locate: (path) => pos(nodeAt(doc, path, false)),
      locateKey: (path) => pos(nodeAt(doc, path, true)),
    });
  }
  return { documents, problems: [] };
}

/** The offset of the node at `path` (or of its key), falling back to the deepest ancestor found. */
function nodeAt(doc: Document.Parsed, path: readonly (string | number)[], wantKey: boolean): number {
  const { isMap, isPair, isScalar, isSeq } = yaml();
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? doc.range[0];
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      const keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (last && wantKey && keyOffset !== undefined) return keyOffset;
      node = pair.value;
      const range = (pair.value as { range?: [number, number, number] } | null)?.range;
      offset = range?.[0] ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as { range?: [number, number, number] } | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}
