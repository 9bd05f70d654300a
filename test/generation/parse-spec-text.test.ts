import { describe, expect, it } from 'vitest';
import { serialize } from 'node:v8';
import { compactJsonText } from '../../controller/generators/openapi/compact-json-text.ts';
import { parseSpecText } from '../../controller/generators/openapi/parse-spec-text.ts';

const limits = { maxDepth: 200, maxAliases: 1000 };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const nested = (open: string, close: string, depth: number, inner = '1'): string => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');

describe('parseSpecText', () => {
  it.each([
    ['JSON nested 100,000 deep', `{"a": ${nested('[', ']', 100_000)}}`, 'the document is nested more than 200 levels deep at line 1, column 206'],
    ['YAML flow nested 100,000 deep', `a: ${nested('[', ']', 100_000)}`, 'the document is nested more than 200 levels deep at line 1, column 203'],
    ['a JSON key given twice', '{\n  "a": 1,\n  "a": 2\n}', 'the key "a" is given twice in one object at line 3, column 3'],
    ['a JSON key given twice, spelt with escapes', '{"a\\u0062": 1, "ab": 2}', 'the key "ab" is given twice in one object at line 1, column 16'],
    ['a YAML key given twice', 'openapi: 3.0.3\nopenapi: 3.1.0\n', 'the key "openapi" is given twice in one mapping at line 2, column 1'],
    ['a !!js/function tag', 'x: !!js/function "function () { return 1 }"\n', 'the tag !!js/function at line 1, column 4 is not plain YAML; intctl reads specifications without custom or language tags (write the value out)'],
    ['a !Ref tag', 'x: !Ref Other\n', 'the tag !Ref at line 1, column 4 is not plain YAML; intctl reads specifications without custom or language tags (write the value out)'],
    ['an alias bomb', aliasBomb, 'the document expands more than 1000 aliases, refused as a resource exhaustion attack'],
    ['two YAML documents', 'a: 1\n---\nb: 2\n', 'the document holds 2 YAML documents at line 2, column 1; a specification is one'],
    ['JSON that does not parse', '{"a": 1\n "b": 2}', "the document is not valid JSON at line 2, column 2: Expected ',' or '}' after property value"],
  ])('%s: a located message', (_title, text, message) => {
    expect(parseSpecText(bytes(text), limits)).toEqual({ ok: false, message });
  });

  it.each([
    ['UTF-16BE', Buffer.from('openapi: 3.0.3\n', 'utf16le').swap16(), 'the document is encoded as UTF-16BE, not UTF-8'],
    ['Latin-1', Buffer.from('openapi: 3.0.3\ninfo: caf\xe9\n', 'latin1'), 'the document is not valid UTF-8 (byte 0xe9 at offset 24) at line 2, column 10'],
  ])('%s: names the encoding or the bad byte', (_title, raw, start) => {
    const result = parseSpecText(new Uint8Array(raw), limits);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message.startsWith(start)).toBe(true);
  });

  it.each([
    ['JSON', '{"openapi": "3.0.3", "paths": {}}', { openapi: '3.0.3', paths: {} }],
    ['YAML with a byte order mark', '\ufeffopenapi: 3.0.3\npaths: {}\n', { openapi: '3.0.3', paths: {} }],
    ['JSON at the depth limit', nested('[', ']', 200), JSON.parse(nested('[', ']', 200))],
    ['the same key in two objects', '{"a": {"x": 1}, "b": {"x": 2}}', { a: { x: 1 }, b: { x: 2 } }],
  ])('reads %s', (_title, text, value) => {
    expect(parseSpecText(bytes(text), limits)).toEqual({ ok: true, value });
  });

  // JSON is read from its compact text: without whitespace between tokens, each character above
  // U+00FF (an en dash, an emoji, a byte order mark) through its escape. To the same value, and
  // said wrong as before, where the file's own text says it.
  const WIDE = '{"title": "x \u2013 y", "🍫": ["caf\u00e9", "\u2014", "\ud83d\udea2"], "e\u0301": {"a": "—"}}';
  const SPACED = '{\n  "a b" : [ 1 , -2.5e3 , true , null ],\n\t"c": " x  y\\t\\"  " ,\r\n  "d": {  }\n}\n';

  it.each([
    ['JSON with characters above U+00FF', WIDE, JSON.parse(WIDE)],
    ['JSON with them and a byte order mark', `\ufeff \n${WIDE}`, JSON.parse(WIDE)],
    ['indented JSON, whitespace inside strings kept', SPACED, JSON.parse(SPACED)],
  ])('reads %s', (_title, text, value) => {
    expect(parseSpecText(bytes(text), limits)).toEqual({ ok: true, value });
  });

  it.each([
    ['a JSON key given twice after one of them', '{"–": 1, "a": 1, "a": 2}', 'the key "a" is given twice in one object at line 1, column 18'],
    ['a JSON key with one, given twice', '{"🍫": 1, "\\ud83c\\udf6b": 2}', 'the key "🍫" is given twice in one object at line 1, column 11'],
    ['one outside a JSON string', '{"a": "—", "b": 1 —}', "the document is not valid JSON at line 1, column 19: Expected ',' or '}' after property value"],
    ['JSON nested too deep after one', `{"–": ${nested('[', ']', 300)}}`, 'the document is nested more than 200 levels deep at line 1, column 206'],
    ['two numbers a space apart', '[\n  1 2\n]', "the document is not valid JSON at line 2, column 5: Expected ',' or ']' after array element"],
    ['a literal split by a space', '[tr ue]', 'the document is not valid JSON: Unexpected token \' \', "[tr ue]" is not valid JSON'],
  ])('%s: a located message, counted in the characters of the file', (_title, text, message) => {
    expect(parseSpecText(bytes(text), limits)).toEqual({ ok: false, message });
  });

  it('compacts JSON to a string of one byte a character, a space only where tokens would join', () => {
    expect(serialize(WIDE)[2]).toBe(0x63); // V8's tag of a string of two bytes a character
    expect(serialize(compactJsonText(bytes(WIDE)))[2]).toBe(0x22); // and of one byte a character
    expect(compactJsonText(bytes(SPACED))).toBe('{"a b":[1,-2.5e3,true,null],"c":" x  y\\t\\"  ","d":{}}');
    expect(compactJsonText(bytes('[ 1 2 , tr ue ]'))).toBe('[1 2,tr ue]');
    expect(compactJsonText(bytes(' {"🍫": "–"}'))).toBe('{"\\ud83c\\udf6b":"\\u2013"}');
  });
});
