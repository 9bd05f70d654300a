import { actionFailure, type ActionFailure } from './action-failure.ts';

/** What checkAnswerMediaType looks at of a success answer. */
export interface AnswerBody {
  /** The Content-Type header as received; '' when there was none. */
  contentType: string;
  /** The body: parsed JSON, text, or undefined when empty. */
  body: unknown;
  /** Whether the body was parsed as JSON. */
  json: boolean;
}

/**
 * Whether a success answer is something the action can read: a body of a media type the request
 * asked for in Accept, that intctl reads (JSON, or text as OData's `$count` answers), and, for
 * JSON, that parses. Otherwise an OutputInvalid failure naming the content type received and the
 * one expected, never the body, which may carry anything (an echoed credential, personal data).
 * An empty body (204) is always readable; a body without a Content-Type counts as JSON when it
 * parses as JSON. Pure.
 */
export function checkAnswerMediaType(action: string, accept: string, answer: AnswerBody, origin: string): ActionFailure | undefined {
  if (answer.body === undefined) return undefined;
  const received = essence(answer.contentType) ?? (answer.json ? 'application/json' : undefined);
  const from = ` (from ${origin})`;
  if (received === undefined) {
    const said = answer.contentType.trim() === '' ? 'without a Content-Type' : 'with a Content-Type that is not a media type';
    return actionFailure('OutputInvalid', `${action} answered ${said}; expected ${accept}${from}`);
  }
  const ranges = accept.split(',').map(essence).filter((range): range is string => range !== undefined);
  if (!ranges.some((range) => accepts(range, received))) {
    return actionFailure('OutputInvalid', `${action} answered ${received}; expected ${accept}${from}`);
  }
  if (isJson(received)) {
    return answer.json ? undefined : actionFailure('OutputInvalid', `${action} answered ${received} that does not parse as JSON${from}`);
  }
  if (received.startsWith('text/')) return undefined;
  return actionFailure('OutputInvalid', `${action} answered ${received}, which intctl cannot read: it reads JSON and text${from}`);
}

/** `type/subtype` of a media type or range, lowercased and without parameters; undefined when it is not one. */
function essence(value: string): string | undefined {
  const type = value.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+*-]+\/[a-z0-9!#$&^_.+*-]+$/.test(type) ? type : undefined;
}

function isJson(type: string): boolean {
  return /^[^/]+\/(json|[^/]+\+json)$/.test(type);
}

/** A range of Accept takes a type: itself, a wildcard over it, or any JSON type for a JSON range. */
function accepts(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  if (range.endsWith('/*')) return type.startsWith(range.slice(0, -1));
  return isJson(range) && isJson(type);
}
