import { Composer, LineCounter, Parser, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import type { Position, YamlDocument } from '../core/manifest.ts';
import type { Problem } from '../core/problem.ts';
import { detectWideEncoding, wideEncodingMessage } from '../core/text-encoding.ts';

export interface YamlLimits {
  /** Largest file read, in bytes. */
  maxFileBytes: number;
  /** Deepest nesting of collections in one document. */
  maxDepth: number;
  /** Most alias expansions in one document (the defence against "billion laughs"). */
  maxAliases: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxFileBytes: 1024 * 1024, maxDepth: 64, maxAliases: 100 };

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
  const wide = detectWideEncoding(bytes);
  if (wide) return at(1, 1, 'NotUtf8', wideEncodingMessage(wide));
  const decoded = decodeUtf8(bytes);
  if (typeof decoded !== 'string') {
    return at(decoded.line, decoded.column, 'NotUtf8', `file is not valid UTF-8 (byte 0x${decoded.byte.toString(16).padStart(2, '0')} at offset ${decoded.offset})`);
  }
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;

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

/** Walks the concrete syntax tree without recursion; returns the offset of the first collection past the limit. */
function findTooDeep(root: unknown, maxDepth: number): number | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const token = node as { items?: Array<{ key?: unknown; value?: unknown }>; value?: unknown; offset?: number };
    if (Array.isArray(token.items)) {
      if (depth >= maxDepth) return token.offset ?? 0;
      for (const item of token.items) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      }
    }
    if (token.value && typeof token.value === 'object') stack.push([token.value, depth]);
  }
  return undefined;
}

function cleanYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

interface Utf8Error {
  offset: number;
  byte: number;
  line: number;
  column: number;
}

/** Decodes strict UTF-8; on failure, says where the first bad byte is. */
function decodeUtf8(bytes: Uint8Array): string | Utf8Error {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return { offset, byte: bytes[offset] ?? 0, line, column: offset - lineStart + 1 };
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong three-byte forms, UTF-16 surrogates, and code points past U+10FFFF.
    const c1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 >= 0xa0) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 >= 0x90)) return i;
    i += need + 1;
  }
  return bytes.length;
}
