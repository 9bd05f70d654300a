import { isUtf8 } from 'node:buffer';

const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));

/**
 * JSON text as small as a string of it can be, for JSON.parse to read to the same value: without
 * the whitespace between tokens, and with each character above U+00FF written as its `\uXXXX`
 * escape (two for one beyond U+FFFF), so that the string has one byte a character. Decoded as it
 * is, GitHub's description (13 MB, indented, with 30 en dashes and emoji) was a string of two bytes
 * a character, 26 MB of the JS heap while it was parsed; this is 7 MB.
 *
 * Only what JSON.parse reads the same way is changed: a space is kept between two characters that
 * would otherwise join into one token (`1 2`, `tr ue`), so text that is not JSON stays text that is
 * not JSON; inside a string every byte is kept but those escapes, which are the same character; a
 * character above U+00FF outside a string is an error either way. Positions in this text are not
 * those of the file: a caller that finds a fault reads the file again as it is, for its message.
 * Undefined for bytes that are not UTF-8 or do not start as JSON (after a byte order mark, which is
 * left out as parseSpecText drops it, and whitespace).
 */
export function compactJsonText(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < n && isWhitespace(bytes[i]!)) i++;
  if (bytes[i] !== 0x7b && bytes[i] !== 0x5b) return undefined;
  if (!isUtf8(bytes)) return undefined;
  // An escape is 6 bytes for a character of 2 or 3, 12 for one of 4.
  let extra = 0;
  for (let k = i; k < n; k++) if (bytes[k]! >= 0xc4) extra += 8;
  const out = Buffer.allocUnsafe(n - i + extra);
  let length = 0;
  let inString = false;
  let last = 0x2c; // the last byte written outside a string: none yet, as after a comma
  while (i < n) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === 0x5c && i + 1 < n) {
        out[length++] = byte;
        out[length++] = bytes[i + 1]!;
        i += 2;
      } else if (byte >= 0xc4) {
        const size = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
        let codePoint = byte & (0xff >> (size + 1));
        for (let k = 1; k < size; k++) codePoint = (codePoint << 6) | (bytes[i + k]! & 0x3f);
        if (codePoint > 0xffff) {
          length = writeEscape(out, length, 0xd800 + ((codePoint - 0x10000) >> 10));
          length = writeEscape(out, length, 0xdc00 + ((codePoint - 0x10000) & 0x3ff));
        } else {
          length = writeEscape(out, length, codePoint);
        }
        i += size;
      } else {
        if (byte === 0x22) {
          inString = false;
          last = byte;
        }
        out[length++] = byte;
        i++;
      }
      continue;
    }
    if (isWhitespace(byte)) {
      let next = i + 1;
      while (next < n && isWhitespace(bytes[next]!)) next++;
      if (next < n && !isStructural(last) && !isStructural(bytes[next]!)) out[length++] = 0x20;
      i = next;
      continue;
    }
    if (byte === 0x22) inString = true;
    out[length++] = byte;
    last = byte;
    i++;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(out.subarray(0, length));
  } catch {
    return undefined;
  }
}

function writeEscape(out: Buffer, at: number, unit: number): number {
  out[at] = 0x5c;
  out[at + 1] = 0x75;
  for (let k = 0; k < 4; k++) out[at + 2 + k] = HEX[(unit >> (12 - 4 * k)) & 0xf]!;
  return at + 6;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** A character that ends or begins a token on its own, so that whitespace beside it separates nothing: `{ } [ ] , : "`. */
function isStructural(byte: number): boolean {
  return byte === 0x7b || byte === 0x7d || byte === 0x5b || byte === 0x5d || byte === 0x2c || byte === 0x3a || byte === 0x22;
}
