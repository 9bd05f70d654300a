import { createHash } from 'node:crypto';

/** What a handler answers; the stand-in adds GitHub's common headers, the ETag and the rate limit. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** When the resource last changed, for `Last-Modified`. */
  lastModified?: string;
}

export const DOCS = 'https://docs.github.com/rest';

/** GitHub's `basic-error` body: `{ message, documentation_url, status }` with the status as a string. */
export function basicError(status: number, message: string, documentationUrl = DOCS, headers?: Record<string, string>): Reply {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) }, ...(headers ? { headers } : {}) };
}

export function notFound(documentationUrl = DOCS): Reply {
  return basicError(404, 'Not Found', documentationUrl);
}

export function badCredentials(): Reply {
  return basicError(401, 'Bad credentials', DOCS);
}

export interface FieldError {
  resource: string;
  field: string;
  code: string;
  message?: string;
}

/** GitHub's `validation-error` body for a request it understood but refuses ("Validation Failed"). */
export function validationFailed(errors: FieldError[], documentationUrl = DOCS): Reply {
  return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: documentationUrl, status: '422' } };
}

/** The body GitHub answers when a request fails its JSON schema: "Invalid request." and what was wrong. */
export function invalidRequest(problems: string[], errors: FieldError[], documentationUrl = DOCS): Reply {
  return { status: 422, body: { message: `Invalid request.\n\n${problems.join('\n')}`, errors, documentation_url: documentationUrl, status: '422' } };
}

/** A weak ETag of the body's bytes, in the form GitHub sends (`W/"<hex>"`). */
export function etagOf(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('hex').slice(0, 40)}"`;
}

/** Whether `If-None-Match` names the ETag; weak comparison, as GitHub does for GET. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}

export interface Page<T> {
  items: T[];
  /** The `Link` header, absent when everything fits on one page. */
  link?: string;
}

/**
 * One page of a list as GitHub pages it: `per_page` (default 30, at most 100) and `page` (from 1), with a `Link`
 * header of `next`, `last`, `first` and `prev` URLs that keep the other query parameters.
 */
export function paginate<T>(items: T[], url: URL, query: Record<string, unknown>): Page<T> {
  const perPage = Math.min(Math.max(Number(query.per_page ?? 30) || 30, 1), 100);
  const page = Math.max(Number(query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (last === 1) return { items: slice };
  const at = (n: number) => {
    const target = new URL(url);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return target.toString();
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${at(page - 1)}>; rel="prev"`);
  if (page < last) rels.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(1)}>; rel="first"`);
  return { items: slice, link: rels.join(', ') };
}

/** A request id of GitHub's shape, e.g. `C0DE:1F2A:3B4C5D:6E7F80:65A1B2C3`. */
export function requestId(sequence: number): string {
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return `${hex(process.pid & 0xffff, 4)}:${hex(sequence, 4)}:${hex(sequence * 7919, 6)}:${hex(sequence * 104729, 6)}:${hex(Math.floor(Date.now() / 1000), 8)}`;
}
