import { describe, expect, it } from 'vitest';
import { DEFAULT_YAML_LIMITS, parseYamlFile } from '../../controller/load/parse-yaml-file.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseYamlFile', () => {
  it('reads every document of a file and locates fields by path', () => {
    const parsed = parseYamlFile('m.yaml', bytes('a: 1\n---\nb:\n  - x\n  - y: 2\n'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: ['x', { y: 2 }] }]);
    expect(parsed.documents[1]!.locate(['b', 1, 'y'])).toEqual({ line: 5, column: 8 });
    expect(parsed.documents[1]!.locateKey(['b', 1, 'y'])).toEqual({ line: 5, column: 5 });
    expect(parsed.documents[1]!.locate(['b', 7])).toEqual({ line: 4, column: 3 });
  });

  it('accepts a UTF-8 byte order mark and non-ASCII text', () => {
    const parsed = parseYamlFile('m.yaml', bytes('\ufeffowner: François Müller\n'));
    expect(parsed.documents[0]?.value).toEqual({ owner: 'François Müller' });
  });

  it('refuses a file over the default limit of 1 MiB without parsing it', () => {
    const big = bytes(`notes: "${'x'.repeat(DEFAULT_YAML_LIMITS.maxFileBytes)}"\n`);
    expect(parseYamlFile('big.yaml', big).problems).toEqual([
      expect.objectContaining({ reason: 'FileTooLarge', line: 1, column: 1 }),
    ]);
  });

  it.each([
    ['overlong encoding', [0x61, 0x3a, 0x20, 0xc0, 0xaf], 4],
    ['lone continuation byte', [0x61, 0x3a, 0x20, 0x80], 4],
    ['truncated sequence', [0x61, 0x3a, 0x20, 0xe2, 0x82], 4],
    ['UTF-16 surrogate', [0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80], 4],
  ])('refuses invalid UTF-8 (%s) and says where', (_name, raw, column) => {
    const parsed = parseYamlFile('bad.yaml', Uint8Array.from([0x78, 0x0a, ...raw]));
    expect(parsed.problems).toEqual([expect.objectContaining({ reason: 'NotUtf8', line: 2, column })]);
  });

  it('refuses nesting past the limit, in flow and block style alike', () => {
    const flow = `a: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    let block = '';
    for (let i = 0; i < 100; i++) block += `${'  '.repeat(i)}k${i}:\n`;
    for (const text of [flow, block]) {
      expect(parseYamlFile('deep.yaml', bytes(text)).problems.map((p) => p.reason)).toEqual(['NestingTooDeep']);
    }
    expect(parseYamlFile('ok.yaml', bytes(`a: ${'['.repeat(10)}${']'.repeat(10)}\n`)).problems).toEqual([]);
  });

  it('returns no documents of a file with a syntax error, so half a file is never used', () => {
    const parsed = parseYamlFile('m.yaml', bytes('a: 1\n---\nb: [1, 2\n'));
    expect(parsed.documents).toEqual([]);
    expect(parsed.problems[0]).toMatchObject({ file: 'm.yaml', reason: 'YamlSyntax', severity: 'error' });
  });

  it('allows a few aliases and refuses an expansion attack', () => {
    expect(parseYamlFile('m.yaml', bytes('a: &x [1]\nb: *x\n')).documents[0]?.value).toEqual({ a: [1], b: [1] });
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 8; i++) bomb += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    expect(parseYamlFile('m.yaml', bytes(bomb)).problems.map((p) => p.reason)).toEqual(['YamlAliasLimit']);
  });
});
