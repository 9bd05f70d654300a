import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorObject } from 'ajv';
import { appHandlers } from './app-handlers.ts';
import { authenticate, type Credentials } from './authenticate.ts';
import { checkRunHandlers } from './check-run-handlers.ts';
import { commitAndPullHandlers } from './commit-and-pull-handlers.ts';
import { faultReply, PRIMARY_DOCS, takeFault, type PendingFault } from './faults.ts';
import type { Handler } from './handler-context.ts';
import { ERROR_OPERATION, type GithubDescription } from './openapi-description.ts';
import type { InvalidRequest, InvalidResponse, RecordedRequest } from './github-stand-in.ts';
import type { RateLimitBucket, Site } from './resources.ts';
import { basicError, DOCS, etagMatches, etagOf, invalidRequest, notFound, requestId, type Reply } from './responses.ts';
import type { StandInState } from './state.ts';

const HANDLERS: Record<string, Handler> = { ...checkRunHandlers, ...commitAndPullHandlers, ...appHandlers };

/** Everything one stand-in server shares between its requests. */
export interface Exchange {
  description: GithubDescription;
  site: Site;
  state: StandInState;
  pathPrefix: string;
  credentials: Credentials;
  faults: PendingFault[];
  rateLimit: RateLimitBucket;
  requests: RecordedRequest[];
  invalidRequests: InvalidRequest[];
  invalidResponses: InvalidResponse[];
  ids: { checkRun: () => number; status: () => number; sequence: () => number };
}

export interface IncomingRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `For '${error.instancePath || '/'}', ${error.message ?? error.keyword}${error.params ? ` (${JSON.stringify(error.params)})` : ''}.`);
}

function fieldOf(error: ErrorObject): string {
  return error.instancePath.replace(/^\/(requestBody|query|path|header)\/?/, '').replaceAll('/', '.') || String((error.params as { missingProperty?: string }).missingProperty ?? '');
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * One request, start to end: route against the description (an operation it does not describe, or one the
 * stand-in does not serve, is recorded and fails `close()`), validate, authenticate, apply the rate limit and
 * faults, run the operation, answer 304 to a matching `If-None-Match`, and validate the answer itself.
 */
export function handleRequest(exchange: Exchange, request: IncomingRequest): Answer {
  const sequence = exchange.ids.sequence();
  const id = requestId(sequence);
  const method = request.method.toUpperCase();
  const prefix = exchange.pathPrefix;
  const inPrefix = !prefix || request.url.pathname === prefix || request.url.pathname.startsWith(`${prefix}/`);
  const path = inPrefix ? request.url.pathname.slice(prefix.length) || '/' : request.url.pathname;
  const query = Object.fromEntries(request.url.searchParams);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]));
  const recorded: RecordedRequest = { method, path, query, operationId: null, status: 0, body: undefined, headers, receivedAt: performance.now() };
  exchange.requests.push(recorded);
  const invalid = (kind: InvalidRequest['kind'], status: number, problems: string[]) =>
    exchange.invalidRequests.push({ kind, method, path, operationId: recorded.operationId, status, problems });

  let body: unknown;
  if (request.body.length > 0) {
    try {
      body = JSON.parse(request.body);
    } catch {
      invalid('InvalidJson', 400, ['the body is not JSON']);
      return finish(exchange, recorded, id, method, request, { operationId: null, reply: basicError(400, 'Problems parsing JSON') });
    }
  }
  recorded.body = body;

  const routed = { method, path, headers: request.headers as Record<string, string | string[]>, query, body };
  const operation = inPrefix ? exchange.description.served.router.matchOperation(routed) : undefined;
  if (!operation || operation.operationId === ERROR_OPERATION) {
    const described = inPrefix ? exchange.description.all.matchOperation(routed) : undefined;
    if (described) {
      recorded.operationId = described.operationId ?? null;
      invalid('NotServed', 501, [`${described.operationId} is described by GitHub but not served by the stand-in`]);
      return finish(exchange, recorded, id, method, request, { operationId: null, reply: basicError(501, `The GitHub stand-in does not serve ${described.operationId}`) });
    }
    invalid('UnknownOperation', 404, [`${method} ${request.url.pathname} is no operation of GitHub's ${exchange.description.name} description`]);
    return finish(exchange, recorded, id, method, request, { operationId: null, reply: notFound() });
  }
  const operationId = operation.operationId!;
  recorded.operationId = operationId;
  const docs = operation.externalDocs?.url ?? DOCS;

  const validation = exchange.description.served.validator.validateRequest(routed, operation);
  const problems = validation.valid ? [] : describeErrors(validation.errors);
  if (problems.length > 0) invalid('Schema', 422, problems);

  const who = authenticate(exchange.credentials, operationId, header(request.headers, 'authorization'));
  if (!who.ok) return finish(exchange, recorded, id, method, request, { operationId, reply: who.reply, uncounted: true });

  refill(exchange.rateLimit);
  if (exchange.rateLimit.remaining <= 0 && operationId !== 'rate-limit/get') {
    const reply = basicError(403, `API rate limit exceeded for ${who.subject}.`, PRIMARY_DOCS);
    return finish(exchange, recorded, id, method, request, { operationId, reply, uncounted: true });
  }
  const fault = takeFault(exchange.faults, operationId);
  if (fault) {
    const reply = faultReply(fault, { requestId: id, subject: who.subject, nowSeconds: Math.floor(Date.now() / 1000) });
    return finish(exchange, recorded, id, method, request, { operationId, reply });
  }
  if (problems.length > 0) {
    const errors = (validation.errors ?? []).map((error) => ({ resource: operationId, field: fieldOf(error), code: 'invalid', message: error.message ?? error.keyword }));
    return finish(exchange, recorded, id, method, request, { operationId, reply: invalidRequest(problems, errors, docs) });
  }

  const parsed = exchange.description.served.router.parseRequest(routed, operation);
  const reply = HANDLERS[operationId]!({
    site: exchange.site,
    state: exchange.state,
    auth: exchange.credentials.auth,
    actor: exchange.credentials.auth === 'app' ? `${exchange.site.appSlug}[bot]` : 'intctl-bot',
    url: request.url,
    params: parsed.params as Record<string, string>,
    query,
    body: (body ?? {}) as Record<string, unknown>,
    docs,
    ids: exchange.ids,
    now,
    rateLimit: exchange.rateLimit,
  });
  if (reply.status === 422) invalid('Rejected', 422, [JSON.stringify(reply.body)]);
  return finish(exchange, recorded, id, method, request, { operationId, reply, uncounted: operationId === 'rate-limit/get' });
}

/** A new hour, a new allowance, as GitHub resets the core limit. */
function refill(bucket: RateLimitBucket): void {
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (nowSeconds < bucket.reset) return;
  bucket.remaining = bucket.limit;
  bucket.reset = nowSeconds + 3600;
}

interface Outcome {
  operationId: string | null;
  reply: Reply;
  /** Not counted against the rate limit (`GET /rate_limit`, 401s, refusals for an exhausted limit). */
  uncounted?: boolean;
}

function finish(exchange: Exchange, recorded: RecordedRequest, id: string, method: string, request: IncomingRequest, outcome: Outcome): Answer {
  const { reply, operationId } = outcome;
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': id,
    'access-control-expose-headers': 'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-GitHub-Request-Id',
  };
  let status = reply.status;
  let sent = text;
  if (method === 'GET' && status === 200) {
    const etag = etagOf(text);
    headers.etag = etag;
    headers['cache-control'] = 'private, max-age=60, s-maxage=60';
    headers.vary = 'Accept, Authorization, Cookie, X-GitHub-OTP';
    if (reply.lastModified) headers['last-modified'] = new Date(reply.lastModified).toUTCString();
    if (etagMatches(header(request.headers, 'if-none-match'), etag)) {
      status = 304;
      sent = '';
      delete headers['content-type'];
    }
  }
  const bucket = exchange.rateLimit;
  if (status !== 304 && !outcome.uncounted && bucket.remaining > 0) bucket.remaining -= 1;
  Object.assign(headers, {
    'x-ratelimit-limit': String(bucket.limit),
    'x-ratelimit-remaining': String(bucket.remaining),
    'x-ratelimit-reset': String(bucket.reset),
    'x-ratelimit-used': String(bucket.limit - bucket.remaining),
    'x-ratelimit-resource': 'core',
  });
  Object.assign(headers, reply.headers ?? {});
  if (status !== 304 && sent) headers['content-length'] = String(Buffer.byteLength(sent));
  recorded.status = status;
  if (status !== 304) validateAnswer(exchange, operationId, status, reply.body);
  return { status, headers, body: sent };
}

function validateAnswer(exchange: Exchange, operationId: string | null, status: number, body: unknown): void {
  const validator = exchange.description.served.validator;
  const operation = operationId ?? ERROR_OPERATION;
  const described = operationId !== null && validator.getStatusBasedResponseValidatorForOperation(operationId)?.[String(status)] !== undefined;
  const result = validator.validateResponse(body, described ? operation : ERROR_OPERATION, status);
  if (!result.valid) exchange.invalidResponses.push({ operationId: operation, status, problems: describeErrors(result.errors) });
}
