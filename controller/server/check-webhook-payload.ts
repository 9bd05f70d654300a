/**
 * What is wrong with a well-signed GitHub webhook payload that intctl acts on, in the words of
 * the payload's fields; undefined when the fields it reads have the shape GitHub documents.
 * Only the fields read are checked: GitHub adds fields freely.
 */
export function checkWebhookPayload(event: string, payload: unknown): string | undefined {
  if (!isObject(payload)) return `the payload of a ${event} event must be a JSON object, not ${describe(payload)}`;
  switch (event) {
    case 'push':
      return (
        expectField(event, payload, 'ref', isString, 'a string') ??
        (payload.after === undefined ? undefined : expectField(event, payload, 'after', isString, 'a string'))
      );
    case 'pull_request':
      return expectField(event, payload, 'action', isString, 'a string') ?? expectField(event, payload, 'number', isPositiveInteger, 'a positive integer');
    case 'pull_request_review': {
      const problem = expectField(event, payload, 'action', isString, 'a string') ?? expectField(event, payload, 'pull_request', isObject, 'an object');
      if (problem) return problem;
      const pull = payload.pull_request as Record<string, unknown>;
      return (
        expectField(event, pull, 'number', isPositiveInteger, 'a positive integer', 'pull_request.') ??
        (pull.merged_at === undefined || pull.merged_at === null ? undefined : expectField(event, pull, 'merged_at', isString, 'a string or null', 'pull_request.'))
      );
    }
    default:
      return undefined;
  }
}

function expectField(
  event: string,
  object: Record<string, unknown>,
  field: string,
  check: (value: unknown) => boolean,
  expected: string,
  prefix = '',
): string | undefined {
  const value = object[field];
  if (check(value)) return undefined;
  return `the payload of a ${event} event must have \`${prefix}${field}\` as ${expected}, not ${describe(value)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): boolean {
  return typeof value === 'string';
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
