import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { request as undiciRequest, type Dispatcher } from 'undici';
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

/**
 * How a request reaches the system: an undici dispatcher (a keep-alive pool per origin; the
 * runtime's own, or a connection's TLS agent), or a fetch (what tests and embedders inject).
 */
export type UpstreamTransport = Dispatcher | typeof fetch;

/** Error codes of a TLS handshake that failed: a certificate refused on either side, or an alert from the server. */
const TLS_FAILURE = /SSL|TLS|CERT|UNABLE_TO_VERIFY|SELF_SIGNED/;
const CLOSED = /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/;

/** The largest response body read; larger ones are a failure, not a memory problem. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The content codings a dispatcher's answer is decoded from, as fetch would; others are read as they are. */
const DECODE: Record<string, (bytes: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};
const ACCEPT_ENCODING = 'gzip, deflate, br';
const utf8 = new TextDecoder('utf-8');

/** What callUpstream reads of an answer, whichever transport brought it. */
interface RawAnswer {
  status: number;
  header(name: string): string | undefined;
  /** Undefined when the body is larger than MAX_BODY_BYTES (and was not read). */
  text(): Promise<string | undefined>;
}

/**
 * Sends one request to the external system and reads its answer, whatever its status; redirects
 * are answers, never followed. A system that cannot be reached, or does not answer within the
 * timeout, is a failure as a value (UpstreamUnreachable, UpstreamTimeout) naming only its origin; a
 * TLS handshake that failed says so, and what of the connection to check. Through a dispatcher the
 * request asks for compressed answers and decodes them, as fetch does.
 */
export async function callUpstream(request: BuiltRequest, transport: UpstreamTransport, timeoutMs: number): Promise<UpstreamAnswer | ActionFailure> {
  let answer: RawAnswer;
  let text: string | undefined;
  try {
    answer = typeof transport === 'function' ? await viaFetch(request, transport, timeoutMs) : await viaDispatcher(request, transport, timeoutMs);
    text = await answer.text();
  } catch (error) {
    const name = (error as Error).name;
    const code = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error & { code?: string }).code;
    if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return actionFailure('UpstreamTimeout', `${request.url.origin} did not answer within ${timeoutMs} ms`);
    }
    if (code !== undefined && TLS_FAILURE.test(code)) {
      return actionFailure('UpstreamUnreachable', `${request.url.origin} refused the TLS handshake (${code}): check the connection's certificate, privateKey and caBundle`);
    }
    if (code !== undefined && request.url.protocol === 'https:' && CLOSED.test(code)) {
      // Under TLS 1.3 a server refuses a client certificate after the client finished its handshake: the client sees the socket close.
      return actionFailure('UpstreamUnreachable', `${request.url.origin} closed the connection (${code}); if it requires a client certificate, check the connection's certificate, privateKey and caBundle`);
    }
    if (code === 'ERR_BUFFER_TOO_LARGE') return actionFailure('UpstreamFailed', `${request.url.origin} answered a body larger than ${MAX_BODY_BYTES} bytes once decoded`);
    return actionFailure('UpstreamUnreachable', `${request.url.origin} cannot be reached${code ? ` (${code})` : ''}`);
  }
  if (text === undefined) return actionFailure('UpstreamFailed', `${request.url.origin} answered a body of ${answer.header('content-length')} bytes, more than ${MAX_BODY_BYTES}`);
  const contentType = answer.header('content-type') ?? '';
  const retryAfter = answer.header('retry-after');
  return { status: answer.status, contentType, ...parseBody(text, contentType), ...(retryAfter ? { retryAfter } : {}) };
}

/**
 * A timeout error, as AbortSignal.timeout gives. A timer cleared once the answer is read, not
 * AbortSignal.timeout, whose timer stays armed (and fires) long after every call it guarded.
 */
function timeoutError(): Error {
  return new DOMException('the system did not answer in time', 'TimeoutError');
}

async function viaFetch(request: BuiltRequest, send: typeof fetch, timeoutMs: number): Promise<RawAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError()), timeoutMs);
  let response: Response;
  try {
    response = await send(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    text: async () => {
      try {
        if (Number(response.headers.get('content-length') ?? '0') > MAX_BODY_BYTES) {
          await response.body?.cancel();
          return undefined;
        }
        return await response.text();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Through a dispatcher the deadline is undici's own until the answer's headers (no signal, no
 * event target per call), then a timer for what is left of it while the body is read.
 */
async function viaDispatcher(request: BuiltRequest, dispatcher: Dispatcher, timeoutMs: number): Promise<RawAnswer> {
  const headers = 'accept-encoding' in request.headers ? request.headers : { ...request.headers, 'accept-encoding': ACCEPT_ENCODING };
  const started = Date.now();
  const response = await undiciRequest(request.url, {
    method: request.method as Dispatcher.HttpMethod,
    headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    dispatcher,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    status: response.statusCode,
    header,
    text: async () => {
      if (Number(header('content-length') ?? '0') > MAX_BODY_BYTES) {
        response.body.destroy();
        return undefined;
      }
      const timer = setTimeout(() => response.body.destroy(timeoutError()), Math.max(0, timeoutMs - (Date.now() - started)));
      try {
        return await decodedText(response.body, header('content-encoding'));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The body as text, its content codings undone (as fetch does), a byte order mark dropped. */
async function decodedText(body: Dispatcher.ResponseData['body'], contentEncoding: string | undefined): Promise<string> {
  const codings = (contentEncoding ?? '').toLowerCase().split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity');
  let bytes: Buffer = Buffer.from(await body.arrayBuffer());
  // Codings are listed in the order they were applied: undo them from the last.
  for (const coding of codings.reverse()) {
    const decode = DECODE[coding];
    if (!decode) return utf8.decode(bytes);
    bytes = await decode(bytes, { maxOutputLength: MAX_BODY_BYTES });
  }
  return utf8.decode(bytes);
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
