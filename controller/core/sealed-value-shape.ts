import { decodeBase64 } from './base64.ts';

/**
 * The bytes an anonymous sealed box adds to the secret it seals: the ephemeral X25519 public key
 * (32) and the MAC (16). libsodium calls it crypto_box_SEALBYTES; core holds no libsodium, and
 * test/secrets checks the two agree.
 */
export const SEALED_BOX_OVERHEAD = 48;

/** The fewest bytes a sealed value can decode to: the box around a secret of one byte. */
export const SHORTEST_SEALED_BYTES = SEALED_BOX_OVERHEAD + 1;

/**
 * Why a manifest's `sealed:` text cannot be what `intctl seal` prints, in the user's words, or
 * undefined when it has the shape of one: base64 (standard, or unpadded base64url) of at least
 * SHORTEST_SEALED_BYTES bytes. Only the shape: whether it opens is the environment's question.
 * The reason never repeats the text, which may be a secret pasted in the wrong place.
 */
export function sealedValueFlaw(text: string): string | undefined {
  const bytes = decodeBase64(text);
  if (bytes === undefined) {
    return 'it is not base64: a sealed value holds only A-Z, a-z, 0-9, + and / (or - and _), with = padding at the end';
  }
  if (bytes.length < SHORTEST_SEALED_BYTES) {
    return `it is base64 of ${bytes.length} ${bytes.length === 1 ? 'byte' : 'bytes'}, fewer than the ${SHORTEST_SEALED_BYTES} of the shortest sealed value`;
  }
  return undefined;
}
