import { actionFailure, type ActionFailure, type ActionFailureReason } from './action-failure.ts';
import type { UpstreamAnswer } from './call-upstream.ts';

/**
 * The failure an error answer of the external system becomes: a reason by its status, and its
 * own code and message where its body gives them, in the shapes systems use: OData
 * (`{"error": {"code", "message"}}`, v2 with `message.value`), RFC 9457 problem details
 * (`title`, `detail`), and the common `{"error": "...", "message": "..."}`; else the start of its text.
 */
export function upstreamFailure(answer: Pick<UpstreamAnswer, 'status' | 'contentType' | 'body'>, origin: string): ActionFailure {
  const { code, message } = describe(answer.body);
  const reason = reasonOf(answer.status);
  const said = message ? `: ${message}` : '';
  return actionFailure(reason, `${origin} answered ${answer.status}${code ? ` ${code}` : ''}${said}`, {
    upstream: { status: answer.status, ...(code ? { code } : {}), ...(message ? { message } : {}) },
  });
}

function reasonOf(status: number): ActionFailureReason {
  if (status === 401 || status === 403) return 'UpstreamUnauthorized';
  if (status === 404 || status === 410) return 'UpstreamNotFound';
  if (status === 409 || status === 412) return 'UpstreamConflict';
  if (status === 429) return 'UpstreamThrottled';
  if (status >= 400 && status < 500) return 'UpstreamRejected';
  return 'UpstreamFailed';
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 2000) : undefined);

function describe(body: unknown): { code?: string; message?: string } {
  if (typeof body === 'string') return { ...(text(body) ? { message: text(body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' '))! } : {}) };
  if (body === null || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const odata = record.error;
  if (odata !== null && typeof odata === 'object') {
    const e = odata as Record<string, unknown>;
    const message = text(e.message) ?? text((e.message as Record<string, unknown> | undefined)?.value);
    return { ...(text(e.code) ? { code: text(e.code)! } : {}), ...(message ? { message } : {}) };
  }
  const code = text(record.code) ?? text(record.error) ?? text(record.type);
  const message = text(record.detail) ?? text(record.message) ?? text(record.title) ?? text(record.error_description);
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}
