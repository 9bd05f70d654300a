import { X509Certificate } from 'node:crypto';

/** One PEM block: its label (CERTIFICATE, PRIVATE KEY, ...) and the text between its markers. */
export const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The X.509 certificates of a PEM text, in order (other blocks, a key, are passed over), or what
 * is wrong: the first block labelled CERTIFICATE that does not parse, counted from one.
 */
export function certificatesInPem(pem: string): X509Certificate[] | string {
  const out: X509Certificate[] = [];
  for (const match of pem.matchAll(PEM_BLOCK)) {
    if (match[1] !== 'CERTIFICATE') continue;
    try {
      out.push(new X509Certificate(match[0]));
    } catch {
      return `certificate ${out.length + 1} is not a valid X.509 certificate`;
    }
  }
  return out;
}
