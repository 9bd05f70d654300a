import type { ConnectionRecord } from '../../core/environment-state.ts';
import { authenticate, type AuthContext } from '../../action-runtime/authenticate.ts';
import type { BuiltRequest } from '../../action-runtime/build-request.ts';
import { scrubSecrets } from '../../action-runtime/scrub-secrets.ts';
import { TlsTransports } from '../../action-runtime/tls-transport.ts';
import { TokenCache } from '../../action-runtime/token-cache.ts';

export type FetchedMetadata = { ok: true; from: string; bytes: Uint8Array } | { ok: false; message: string };

export interface FetchMetadataOptions {
  /** The connection as this environment holds it, with its secrets opened for this call only. */
  connection: ConnectionRecord;
  secrets: Readonly<Record<string, string>>;
  /** `--url`; by default the connection's endpoint followed by `/$metadata`. */
  url?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A metadata document larger than this is not one. */
const MAX_BYTES = 64 * 1024 * 1024;

/** The `$metadata` address of a service root: `https://host/odata/v4/catalog` gives `https://host/odata/v4/catalog/$metadata`. */
export function metadataUrl(endpoint: string): string {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/$metadata`;
  return url.toString();
}

/**
 * Reads an OData service's `$metadata` as the action runtime calls the service: with the
 * connection's credentials (a refused OAuth token renewed once) and its fixed query parameters
 * (`sap-client`), sent only to the connection's own origin. Anything but a 200 answer in XML is a
 * failure saying what the service answered; no message holds a secret.
 */
export async function fetchOdataMetadata(options: FetchMetadataOptions): Promise<FetchedMetadata> {
  const { connection } = options;
  const endpoint = connection.parameters.endpoint;
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return { ok: false, message: `connection ${connection.name} has no valid endpoint` };
  const given = options.url ?? metadataUrl(endpoint);
  if (!URL.canParse(given)) return { ok: false, message: `--url ${given} is not a URL` };
  const url = new URL(given);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, message: `--url ${given}: only http and https are read` };
  if (url.origin !== new URL(endpoint).origin) {
    return { ok: false, message: `--url ${given} is not on the origin of connection ${connection.name} (${new URL(endpoint).origin}); its credentials are sent to its own endpoint only` };
  }
  for (const [name, value] of Object.entries(fixedQuery(connection))) if (!url.searchParams.has(name)) url.searchParams.set(name, value);

  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const tls = new TlsTransports();
  try {
    return await fetchWith(connection, url, options, { cache: new TokenCache(), tls, fetch: send, timeoutMs, now: Date.now });
  } finally {
    await tls.close();
  }
}

async function fetchWith(connection: ConnectionRecord, url: URL, options: FetchMetadataOptions, context: AuthContext): Promise<FetchedMetadata> {
  const { timeoutMs } = context;
  let credentials = await authenticate(connection, options.secrets, context);
  if ('ok' in credentials) return { ok: false, message: scrubSecrets(credentials.body, Object.values(options.secrets)).message };

  let answer = await get(url, credentials, credentials.fetch ?? context.fetch, timeoutMs);
  if (answer.ok && answer.response.status === 401 && credentials.refused()) {
    credentials = await authenticate(connection, options.secrets, context);
    if ('ok' in credentials) return { ok: false, message: scrubSecrets(credentials.body, Object.values(options.secrets)).message };
    answer = await get(url, credentials, credentials.fetch ?? context.fetch, timeoutMs);
  }
  const shown = withoutQuery(url);
  if (!answer.ok) return { ok: false, message: `${shown} ${answer.message}` };
  const { response } = answer;
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return { ok: false, message: `${shown} answered ${response.status}: connection ${connection.name} (${connection.authType}) was refused; check its credentials for this environment` };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    return { ok: false, message: `${shown} answered ${response.status}, a redirect; it is not followed with the connection's credentials: give the address it names with --url, if it is on the connection's origin` };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, message: `${shown} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}, not the metadata document; is it the service root (or --url its $metadata)?` };
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^(application|text)\/([\w.+-]+\+)?xml$/.test(type)) {
    await response.body?.cancel();
    return { ok: false, message: `${shown} answered ${type || 'no content type'}, not XML: it is not an OData $metadata document` };
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_BYTES) return { ok: false, message: `${shown} answered ${bytes.length} bytes, more than the ${MAX_BYTES} a metadata document may have` };
  return { ok: true, from: shown, bytes };
}

type Answer = { ok: true; response: Response } | { ok: false; message: string };

async function get(url: URL, credentials: { apply(request: BuiltRequest): void }, send: typeof fetch, timeoutMs: number): Promise<Answer> {
  const request: BuiltRequest = { method: 'GET', url: new URL(url), headers: { accept: 'application/xml' } };
  credentials.apply(request);
  try {
    const response = await send(request.url, { method: 'GET', headers: request.headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return { ok: true, response };
  } catch (error) {
    const timeout = (error as Error).name === 'TimeoutError';
    return { ok: false, message: timeout ? `did not answer in ${timeoutMs} ms` : 'cannot be reached (connection refused, unknown host or TLS failure)' };
  }
}

/** The address as printed: without a query, where an API key may travel. */
function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function fixedQuery(connection: ConnectionRecord): Record<string, string> {
  const given = connection.parameters.parameters;
  if (!given || typeof given !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(given as Record<string, unknown>)) if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}
