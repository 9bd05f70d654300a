import { describe, expect, it } from 'vitest';
import { detectWideEncoding, encodeAscii } from '../../controller/core/text-encoding.ts';

const text = 'apiVersion: intctl.dev/v1alpha1\n';
const utf16le = Buffer.from(text, 'utf16le');
const utf16be = Buffer.from(text, 'utf16le').swap16();
const utf32le = Buffer.concat([...text].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0])));
const utf32be = Buffer.from(utf32le).swap32();

describe('detectWideEncoding', () => {
  it.each([
    ['UTF-8', Buffer.from(text), undefined],
    ['UTF-8 with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), undefined],
    ['Latin-1', Buffer.from('name: caf\xe9\n', 'latin1'), undefined],
    ['empty', Buffer.alloc(0), undefined],
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]), { encoding: 'UTF-16LE', bom: true }],
    ['UTF-16LE without BOM', utf16le, { encoding: 'UTF-16LE', bom: false }],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), { encoding: 'UTF-16BE', bom: true }],
    ['UTF-16BE without BOM', utf16be, { encoding: 'UTF-16BE', bom: false }],
    ['UTF-32LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le]), { encoding: 'UTF-32LE', bom: true }],
    ['UTF-32LE without BOM', utf32le, { encoding: 'UTF-32LE', bom: false }],
    ['UTF-32BE with BOM', Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32be]), { encoding: 'UTF-32BE', bom: true }],
    ['UTF-32BE without BOM', utf32be, { encoding: 'UTF-32BE', bom: false }],
  ])('%s', (_title, bytes, expected) => {
    expect(detectWideEncoding(new Uint8Array(bytes))).toEqual(expected);
  });
});

describe('encodeAscii', () => {
  it.each([
    ['UTF-16LE', utf16le],
    ['UTF-16BE', utf16be],
    ['UTF-32LE', utf32le],
    ['UTF-32BE', utf32be],
  ] as const)('spells text as %s does', (encoding, bytes) => {
    expect(encodeAscii(text, encoding)).toEqual(bytes);
  });
});
