import type { ConnectionRecord } from './environment-state.ts';

/** One field of a connection a reviewer must see change: where credentials go and how they are asked for. */
export interface ConnectionFieldChange {
  field: 'endpoint' | 'authType' | 'tokenUrl' | 'scopes' | 'audience';
  /** As shown: URLs without user info, query or fragment; absent when the field was not set. */
  from?: string;
  to?: string;
}

const URL_FIELDS = new Set(['endpoint', 'tokenUrl', 'audience']);

/**
 * What changes in a connection that a reviewer must see, field by field (Terraform's `~ a -> b`):
 * the endpoint, the auth type, the token URL, the scopes and the audience; a changed endpoint or
 * token URL means the environment's credentials will be sent to another place. Nothing secret is
 * read: secret fields are compared by the fingerprint elsewhere, and URLs are shown without their
 * user info, query and fragment (which can carry credentials). Pure.
 */
export function connectionChanges(before: ConnectionRecord | undefined, after: ConnectionRecord): ConnectionFieldChange[] {
  if (!before) return [];
  const out: ConnectionFieldChange[] = [];
  const compare = (field: ConnectionFieldChange['field'], a: unknown, b: unknown): void => {
    const from = shown(field, a);
    const to = shown(field, b);
    if (from !== to) out.push({ field, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  };
  compare('endpoint', before.parameters.endpoint, after.parameters.endpoint);
  compare('authType', before.authType, after.authType);
  compare('tokenUrl', before.parameters.tokenUrl, after.parameters.tokenUrl);
  compare('scopes', before.parameters.scopes, after.parameters.scopes);
  compare('audience', before.parameters.audience, after.parameters.audience);
  return out;
}

/** A URL as a person may read it anywhere: scheme, host, port and path; `?…` or `#…` where more was cut. */
export function displayUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  // Not a URL with a host: show no more than what could not hold user info.
  if (!url || url.host === '') return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1').replace(/[?#].*$/, '…');
  const cut = url.search !== '' ? '?…' : url.hash !== '' ? '#…' : '';
  return `${url.protocol}//${url.host}${url.pathname === '/' && !value.endsWith('/') ? '' : url.pathname}${cut}`;
}

function shown(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return [...value].map(String).sort().join(' ');
  const text = String(value);
  return URL_FIELDS.has(field) ? displayUrl(text) : text;
}
