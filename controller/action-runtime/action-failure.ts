/**
 * Why an action call failed, as the action endpoint answers it (ActionError in
 * specs/environment-api.yaml), each with the HTTP status it is answered with:
 *
 * - `IntegrationNotFound` 404, `ActionNotFound` 404: nothing of that name is published (for an
 *   action, the message suggests the closest name or lists the integration's actions).
 * - `InputInvalid` 400: the input does not match the action's input schema (details say where).
 * - `ConnectionNotFound` 500, `ConnectionInvalid` 500, `SecretUnavailable` 500, `AuthNotSupported` 501:
 *   the environment's connection cannot be used as it is; its operators must fix it.
 * - `AuthenticationFailed` 502: the token endpoint refused the connection's credentials.
 * - `UpstreamRejected` 422, `UpstreamNotFound` 404, `UpstreamConflict` 409, `UpstreamThrottled` 429,
 *   `UpstreamUnauthorized` 502, `UpstreamFailed` 502: the external system answered with an error;
 *   `upstream` carries its status, code and message.
 * - `UpstreamUnreachable` 502, `UpstreamTimeout` 504: the external system did not answer.
 * - `OutputInvalid` 502: it answered something the action's output schema does not allow, or a
 *   body of another media type than the catalog's, or JSON that does not parse (the message names
 *   the type received and the one expected, never the body).
 * - `EnvironmentUnavailable` 503: the environment's store could not be read; retry.
 */
export type ActionFailureReason =
  | 'IntegrationNotFound'
  | 'ActionNotFound'
  | 'InputInvalid'
  | 'ConnectionNotFound'
  | 'ConnectionInvalid'
  | 'SecretUnavailable'
  | 'AuthNotSupported'
  | 'AuthenticationFailed'
  | 'UpstreamRejected'
  | 'UpstreamNotFound'
  | 'UpstreamConflict'
  | 'UpstreamThrottled'
  | 'UpstreamUnauthorized'
  | 'UpstreamFailed'
  | 'UpstreamUnreachable'
  | 'UpstreamTimeout'
  | 'OutputInvalid'
  | 'EnvironmentUnavailable';

const STATUS: Record<ActionFailureReason, number> = {
  IntegrationNotFound: 404,
  ActionNotFound: 404,
  InputInvalid: 400,
  ConnectionNotFound: 500,
  ConnectionInvalid: 500,
  SecretUnavailable: 500,
  AuthNotSupported: 501,
  AuthenticationFailed: 502,
  UpstreamRejected: 422,
  UpstreamNotFound: 404,
  UpstreamConflict: 409,
  UpstreamThrottled: 429,
  UpstreamUnauthorized: 502,
  UpstreamFailed: 502,
  UpstreamUnreachable: 502,
  UpstreamTimeout: 504,
  OutputInvalid: 502,
  EnvironmentUnavailable: 503,
};

export interface ActionErrorBody {
  error: 'ActionFailed';
  reason: ActionFailureReason;
  message: string;
  details?: Array<{ path: string; message: string }>;
  upstream?: { status: number; code?: string; message?: string };
}

export interface ActionFailure {
  ok: false;
  status: number;
  body: ActionErrorBody;
}

/** A failure as a value, with the status its reason is answered with. */
export function actionFailure(reason: ActionFailureReason, message: string, extra: Pick<ActionErrorBody, 'details' | 'upstream'> = {}): ActionFailure {
  return { ok: false, status: STATUS[reason], body: { error: 'ActionFailed', reason, message, ...extra } };
}
