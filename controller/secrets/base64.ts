/** The base64 forms of keys and sealed values live in core, where validation can read them too. */
export { decodeBase64, encodeBase64 } from '../core/base64.ts';
