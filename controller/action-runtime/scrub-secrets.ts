import type { ActionErrorBody } from './action-failure.ts';

const REDACTED = '[redacted]';

/**
 * An error body with every opened secret of the call taken out of its texts: an external system
 * may echo a credential back in its error message, and that message is passed on to the caller.
 */
export function scrubSecrets(body: ActionErrorBody, secrets: readonly string[]): ActionErrorBody {
  const values = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  if (values.length === 0) return body;
  const scrub = (text: string): string => values.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  return {
    ...body,
    message: scrub(body.message),
    ...(body.details ? { details: body.details.map((d) => ({ path: scrub(d.path), message: scrub(d.message) })) } : {}),
    ...(body.upstream
      ? {
          upstream: {
            status: body.upstream.status,
            ...(body.upstream.code !== undefined ? { code: scrub(body.upstream.code) } : {}),
            ...(body.upstream.message !== undefined ? { message: scrub(body.upstream.message) } : {}),
          },
        }
      : {}),
  };
}
