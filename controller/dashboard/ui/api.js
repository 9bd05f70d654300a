// Talking to the controller's API (specs/controller-api.yaml): JSON reads, "reconcile now", and
// the event stream. The API token, when a person gives one, lives in this tab's sessionStorage
// and goes out only as an Authorization header, never as a cookie.

const TOKEN_KEY = 'intctl.apiToken';

/** The API token given in this tab, or ''. */
export function apiToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Keeps (or, when empty, forgets) the API token for this tab. */
export function setApiToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers() {
  const token = apiToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** An answer that is not 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET a path of the API; throws ApiError with the server's message. */
export async function getJson(path) {
  const response = await fetch(path, { headers: headers() });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.message ?? `${response.status} ${response.statusText}`);
  return body;
}

/** "Reconcile now" for one environment, or from the source (every environment) when none is named; resolves to the API's answer, or throws ApiError. */
export async function reconcileNow(environment) {
  const path = environment === undefined ? '/api/v1/reconcile' : `/api/v1/environments/${encodeURIComponent(environment)}/reconcile`;
  const response = await fetch(path, { method: 'POST', headers: headers() });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.message ?? `${response.status} ${response.statusText}`);
  return body;
}

/**
 * Follows /api/v1/events (read with fetch rather than EventSource, so the token can go in a
 * header); calls onEvent with each status event and onState with 'live' or 'reconnecting'.
 * Reconnects after a pause when the stream ends. Returns a function that stops it.
 */
export function followEvents(onEvent, onState) {
  let stopped = false;
  let controller;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const response = await fetch('/api/v1/events', { headers: headers(), signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        onState('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (data) onEvent(JSON.parse(data));
          }
        }
      } catch {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
