import { actionFailure, type ActionFailure } from './action-failure.ts';
import type { BuiltRequest } from './build-request.ts';

/** What the external system answered: status, and the body as JSON, text, or nothing. */
export interface UpstreamAnswer {
  status: number;
  contentType: string;
  /** The body parsed as JSON when it says it is JSON (or looks like it), else its text; undefined when empty. */
  body: unknown;
  /** True when the body was parsed as JSON; false for text, for JSON that does not parse, and for no body. */
  json: boolean;
  retryAfter?: string;
}

/** Error codes of a TLS handshake that failed: a certificate refused on either side, or an alert from the server. */
const TLS_FAILURE = /SSL|TLS|CERT|UNABLE_TO_VERIFY|SELF_SIGNED/;
const CLOSED = /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/;

/** The largest response body read; larger ones are a failure, not a memory problem. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Sends one request to the external system and reads its answer, whatever its status. A system
 * that cannot be reached, or does not answer within the timeout, is a failure as a value
 * (UpstreamUnreachable, UpstreamTimeout) naming only its origin; a TLS handshake that failed says so,
 * and what of the connection to check.
 */
export async function callUpstream(request: BuiltRequest, send: typeof fetch, timeoutMs: number): Promise<UpstreamAnswer | ActionFailure> {
  let response: Response;
  let text: string;
  try {
    response = await send(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const length = Number(response.headers.get('content-length') ?? '0');
    if (length > MAX_BODY_BYTES) {
      await response.body?.cancel();
      return actionFailure('UpstreamFailed', `${request.url.origin} answered a body of ${length} bytes, more than ${MAX_BODY_BYTES}`);
    }
    text = await response.text();
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return actionFailure('UpstreamTimeout', `${request.url.origin} did not answer within ${timeoutMs} ms`);
    const code = (error as Error & { cause?: { code?: string } }).cause?.code;
    if (code !== undefined && TLS_FAILURE.test(code)) {
      return actionFailure('UpstreamUnreachable', `${request.url.origin} refused the TLS handshake (${code}): check the connection's certificate, privateKey and caBundle`);
    }
    if (code !== undefined && request.url.protocol === 'https:' && CLOSED.test(code)) {
      // Under TLS 1.3 a server refuses a client certificate after the client finished its handshake: the client sees the socket close.
      return actionFailure('UpstreamUnreachable', `${request.url.origin} closed the connection (${code}); if it requires a client certificate, check the connection's certificate, privateKey and caBundle`);
    }
    return actionFailure('UpstreamUnreachable', `${request.url.origin} cannot be reached${code ? ` (${code})` : ''}`);
  }
  const contentType = response.headers.get('content-type') ?? '';
  const retryAfter = response.headers.get('retry-after') ?? undefined;
  return { status: response.status, contentType, ...parseBody(text, contentType), ...(retryAfter ? { retryAfter } : {}) };
}

function parseBody(text: string, contentType: string): { body: unknown; json: boolean } {
  if (text === '') return { body: undefined, json: false };
  if (/[/+]json\b/i.test(contentType) || (contentType === '' && /^\s*[[{]/.test(text))) {
    try {
      return { body: JSON.parse(text) as unknown, json: true };
    } catch {
      return { body: text, json: false };
    }
  }
  return { body: text, json: false };
}
