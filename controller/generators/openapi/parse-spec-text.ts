import { Composer, LineCounter, Parser } from 'yaml';
import { decodeUtf8Text } from '../../core/text-encoding.ts';
import { findTooDeep } from '../../core/yaml-depth.ts';
import { compactJsonText } from './compact-json-text.ts';

export interface SpecTextLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most alias expansions (YAML), the defence against "billion laughs". */
  maxAliases: number;
}

export type ParsedSpecText = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Reads the text of a JSON or YAML specification within bounds, and says what is wrong in
 * intctl's words with the line and column: an encoding other than UTF-8, nesting past the limit
 * (checked before anything recursive runs, so no "Maximum call stack size exceeded"), a key given
 * twice in one object (JSON.parse and YAML libraries would silently keep the last), a tag that
 * plain YAML does not know (`!Ref`, `!!js/function`, which would otherwise become strings), and
 * too many aliases.
 */
export function parseSpecText(bytes: Uint8Array, limits: SpecTextLimits): ParsedSpecText {
  // JSON is read from its compact text (compact-json-text.ts), a fraction of the memory; what
  // does not read from it without a fault is read again as it is below, for its message.
  const compact = compactJsonText(bytes);
  if (compact !== undefined) {
    const read = parseJson(compact, limits);
    if (read.ok) return read;
  }
  const decoded = decodeUtf8Text(bytes);
  if (typeof decoded !== 'string') return { ok: false, message: `${decoded.message.replace(/^file /, 'the document ')}${decoded.line > 1 || decoded.column > 1 ? ` at line ${decoded.line}, column ${decoded.column}` : ''}` };
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  return /^\s*[{[]/.test(text) ? parseJson(text, limits) : parseYamlText(text, limits);
}

function parseJson(text: string, limits: SpecTextLimits): ParsedSpecText {
  const fault = scanJson(text, limits.maxDepth);
  if (fault) return { ok: false, message: `${fault.message} at ${lineColumn(text, fault.offset)}` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    const where = position ? ` at ${lineColumn(text, Number(position[1]))}` : firstYamlError(text);
    return { ok: false, message: `the document is not valid JSON${where}: ${firstLine((error as Error).message).replace(/ in JSON at position \d+.*$/, '')}` };
  }
}

/**
 * One pass over JSON text without recursion: the first object or array past the depth limit,
 * or the first key repeated in its object. Malformed text is left for JSON.parse to report.
 */
function scanJson(text: string, maxDepth: number): { offset: number; message: string } | undefined {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length && text.charCodeAt(j) !== 0x22) {
        if (text.charCodeAt(j) === 0x5c) {
          escaped = true;
          j++;
        }
        j++;
      }
      const top = stack.at(-1);
      if (top && expectKey) {
        let key: string;
        try {
          key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        } catch {
          return undefined;
        }
        if (top.has(key)) return { offset: i, message: `the key ${JSON.stringify(key)} is given twice in one object` };
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      stack.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
      if (stack.length > maxDepth) return { offset: i, message: `the document is nested more than ${maxDepth} levels deep` };
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack.at(-1) instanceof Set;
    }
  }
  return undefined;
}

function parseYamlText(text: string, limits: SpecTextLimits): ParsedSpecText {
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const at = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  for (const token of tokens) {
    const tooDeep = findTooDeep(token, limits.maxDepth);
    if (tooDeep !== undefined) return { ok: false, message: `the document is nested more than ${limits.maxDepth} levels deep at ${at(tooDeep)}` };
  }
  const docs = Array.from(new Composer({ prettyErrors: false, uniqueKeys: true }).compose(tokens));
  if (docs.length === 0) return { ok: true, value: null };
  if (docs.length > 1) return { ok: false, message: `the document holds ${docs.length} YAML documents at ${at(docs[1]!.range[0])}; a specification is one` };
  const doc = docs[0]!;
  const error = doc.errors[0];
  if (error) {
    if (error.code === 'DUPLICATE_KEY') {
      const key = (/^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(error.pos[0], error.pos[0] + 1024))?.[1] ?? '').trim().replace(/^["']|["']$/g, '');
      return { ok: false, message: `the key ${JSON.stringify(key)} is given twice in one mapping at ${at(error.pos[0])}` };
    }
    return { ok: false, message: `the document is neither JSON nor YAML at ${at(error.pos[0])}: ${firstLine(error.message).replace(/ at line \d+, column \d+:?$/, '')}` };
  }
  const unknownTag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (unknownTag) {
    const tag = (/tag: (\S+)/.exec(unknownTag.message)?.[1] ?? 'a tag').replace(/^tag:yaml\.org,2002:/, '!!');
    return { ok: false, message: `the tag ${tag} at ${at(unknownTag.pos[0])} is not plain YAML; intctl reads specifications without custom or language tags (write the value out)` };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: limits.maxAliases }) as unknown };
  } catch (error) {
    if (error instanceof ReferenceError) return { ok: false, message: `the document expands more than ${limits.maxAliases} aliases, refused as a resource exhaustion attack` };
    return { ok: false, message: `the document cannot be read: ${firstLine((error as Error).message)}` };
  }
}

/** Where a YAML parser (JSON is YAML's flow style) first stumbles, for a JSON error that gives no position. */
function firstYamlError(text: string): string {
  const lineCounter = new LineCounter();
  const tokens = new Parser(lineCounter.addNewLine).parse(text);
  for (const doc of new Composer({ prettyErrors: false }).compose(tokens)) {
    const error = doc.errors[0];
    if (error) return ` near ${lineColumnOf(lineCounter, error.pos[0])}`;
  }
  return '';
}

function lineColumnOf(lineCounter: LineCounter, offset: number): string {
  const { line, col } = lineCounter.linePos(offset);
  return `line ${line}, column ${col}`;
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
