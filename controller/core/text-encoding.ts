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
