/** A Unicode encoding other than UTF-8 that a text file may have been saved in. */
export type WideEncoding = 'UTF-16LE' | 'UTF-16BE' | 'UTF-32LE' | 'UTF-32BE';

export interface DetectedEncoding {
  encoding: WideEncoding;
  /** Whether the file starts with a byte order mark. */
  bom: boolean;
}

/**
 * The UTF-16 or UTF-32 encoding of a text file, from its byte order mark or, without one, from
 * the NUL bytes around its first ASCII character (the detection YAML 1.2 prescribes, §5.2, which
 * XML's appendix F matches); undefined for UTF-8 and anything that is not text of those
 * encodings. Editors on Windows save "Unicode" files as UTF-16LE; Git shows them as binary.
 */
export function detectWideEncoding(bytes: Uint8Array): DetectedEncoding | undefined {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) return { encoding: 'UTF-32BE', bom: true };
  if (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00) return { encoding: 'UTF-32LE', bom: true };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'UTF-16BE', bom: true };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'UTF-16LE', bom: true };
  if (bytes.length < 2) return undefined;
  if (bytes.length >= 4 && b0 === 0x00 && b1 === 0x00 && b2 === 0x00 && b3 !== 0x00) return { encoding: 'UTF-32BE', bom: false };
  if (bytes.length >= 4 && b0 !== 0x00 && b1 === 0x00 && b2 === 0x00 && b3 === 0x00) return { encoding: 'UTF-32LE', bom: false };
  if (b0 === 0x00 && b1 !== 0x00) return { encoding: 'UTF-16BE', bom: false };
  if (b0 !== 0x00 && b1 === 0x00) return { encoding: 'UTF-16LE', bom: false };
  return undefined;
}

/** `ascii` as it is spelled in a wide encoding, to look for it in a file's bytes without decoding them. */
export function encodeAscii(ascii: string, encoding: WideEncoding): Buffer {
  const width = encoding.startsWith('UTF-32') ? 4 : 2;
  const out = Buffer.alloc(ascii.length * width);
  for (let i = 0; i < ascii.length; i++) {
    const at = encoding.endsWith('LE') ? i * width : i * width + width - 1;
    out[at] = ascii.charCodeAt(i) & 0x7f;
  }
  return out;
}

/** What intctl says of a file in a wide encoding: its encoding, and what to do. */
export function wideEncodingMessage(detected: DetectedEncoding): string {
  return (
    `file is encoded as ${detected.encoding}${detected.bom ? ' (with a byte order mark)' : ''}, not UTF-8: ` +
    'intctl reads manifests and specifications as UTF-8 only (Git shows other encodings as binary, so a review could not read them); save it as UTF-8'
  );
}

/** Why bytes are not UTF-8 text, in intctl's words, and where (1-based). */
export interface TextDecodeFailure {
  message: string;
  line: number;
  column: number;
}

/**
 * Decodes strict UTF-8 (a leading byte order mark is kept, for the caller to drop). A file in a
 * wide encoding is named as such; otherwise the first bad byte is located. Bytes that are valid
 * UTF-8 but too many for one string are said to be too large, not "not UTF-8".
 */
export function decodeUtf8Text(bytes: Uint8Array): string | TextDecodeFailure {
  const wide = detectWideEncoding(bytes);
  if (wide) return { message: wideEncodingMessage(wide), line: 1, column: 1 };
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    if (offset >= bytes.length) return { message: `file of ${bytes.byteLength} bytes is too large to read as text`, line: 1, column: 1 };
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return { message: `file is not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at offset ${offset})`, line, column: offset - lineStart + 1 };
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

/**
 * A text specification with CRLF line endings turned into LF, so that a Windows work tree (Git's
 * core.autocrlf) hashes and generates exactly what a Linux one does. Bytes without a CRLF are
 * returned as they are: content hashes of LF files never change. A lone CR is left alone.
 */
export function normalizeLineEndings(bytes: Uint8Array): Uint8Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = buffer.indexOf('\r\n');
  if (at < 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.byteLength);
  let length = 0;
  let from = 0;
  while (at >= 0) {
    length += buffer.copy(out, length, from, at);
    from = at + 1;
    at = buffer.indexOf('\r\n', from);
  }
  length += buffer.copy(out, length, from);
  return new Uint8Array(out.buffer, out.byteOffset, length);
}
