import { basicError, type Reply } from './responses.ts';

/** A failure the next matching request(s) get instead of their answer. */
export interface FaultSpec {
  status: 403 | 406 | 429 | 500 | 502 | 503;
  /** Seconds, sent as `retry-after` (secondary limits and 429) or as how far ahead `x-ratelimit-reset` is (primary). */
  retryAfter?: number;
  /** The secondary rate limit ("You have exceeded a secondary rate limit"); the default for 403 and 429. */
  secondary?: boolean;
  /** The primary rate limit: `x-ratelimit-remaining: 0` and `x-ratelimit-reset` a few seconds ahead. */
  primary?: boolean;
  /** How many requests fail; 1 unless told. */
  times?: number;
  /** Only requests of this operation (e.g. `checks/create`) fail; any request unless told. */
  operationId?: string;
}

export interface PendingFault extends FaultSpec {
  left: number;
}

export const SECONDARY_DOCS = 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
export const PRIMARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits';

/** Takes the first pending fault that applies to the operation, counting it down. */
export function takeFault(pending: PendingFault[], operationId: string): PendingFault | undefined {
  const index = pending.findIndex((fault) => fault.operationId === undefined || fault.operationId === operationId);
  if (index < 0) return undefined;
  const fault = pending[index]!;
  fault.left -= 1;
  if (fault.left <= 0) pending.splice(index, 1);
  return fault;
}

export interface FaultContext {
  requestId: string;
  /** Who the primary limit is for, as GitHub names it: "installation ID 42" or "user ID 7". */
  subject: string;
  nowSeconds: number;
}

/**
 * The response GitHub sends for the fault. Rate limit headers of a primary limit are set here and win over the
 * stand-in's counters for this one response.
 */
export function faultReply(fault: FaultSpec, context: FaultContext): Reply {
  if (fault.status >= 500) {
    const messages: Record<number, string> = { 500: 'Server Error', 502: 'Server Error', 503: 'Service Unavailable' };
    return basicError(fault.status, messages[fault.status] ?? 'Server Error');
  }
  if (fault.status === 406) {
    // What GitHub answers a media type it cannot give, e.g. a diff too large to render.
    return basicError(406, 'Sorry, the diff exceeded the maximum number of files (300). Consider using \'List pull requests files\' API or locally cloning the repository instead.', 'https://docs.github.com/rest/pulls/pulls#list-pull-requests-files');
  }
  if (fault.primary) {
    const reset = context.nowSeconds + (fault.retryAfter ?? 2);
    return basicError(
      fault.status,
      `API rate limit exceeded for ${context.subject}. If you reach out to GitHub Support for help, please include the request ID ${context.requestId} and timestamp ${new Date(context.nowSeconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}.`,
      PRIMARY_DOCS,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    );
  }
  return basicError(
    fault.status,
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${context.requestId}.`,
    SECONDARY_DOCS,
    { 'retry-after': String(fault.retryAfter ?? 1) },
  );
}
