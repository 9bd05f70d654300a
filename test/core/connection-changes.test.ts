import { describe, expect, it } from 'vitest';
import { connectionChanges, displayUrl } from '../../controller/core/connection-changes.ts';
import type { ConnectionRecord } from '../../controller/core/environment-state.ts';

const record = (authType: string, parameters: Record<string, unknown>): ConnectionRecord => ({ name: 'erp', system: 'openapi', authType, parameters, secrets: {}, fingerprint: 'f' });

describe('connectionChanges: what a reviewer must see change in a connection', () => {
  it.each<[string, ConnectionRecord | undefined, ConnectionRecord, ReturnType<typeof connectionChanges>]>([
    ['a new connection has nothing to compare', undefined, record('basic', { endpoint: 'https://erp.example.com' }), []],
    ['the same parameters: nothing', record('basic', { endpoint: 'https://erp.example.com', username: 'a' }), record('basic', { endpoint: 'https://erp.example.com', username: 'b' }), []],
    [
      'a new host',
      record('basic', { endpoint: 'https://erp.example.com/api' }),
      record('basic', { endpoint: 'https://erp.attacker.example/api' }),
      [{ field: 'endpoint', from: 'https://erp.example.com/api', to: 'https://erp.attacker.example/api' }],
    ],
    [
      'user info, query and fragment never shown',
      record('basic', { endpoint: 'https://u:p4ss@erp.example.com/api?token=s3cret' }),
      record('basic', { endpoint: 'https://erp.example.com/v2#k=s3cret' }),
      [{ field: 'endpoint', from: 'https://erp.example.com/api?…', to: 'https://erp.example.com/v2#…' }],
    ],
    [
      'auth type, token URL, scopes and audience',
      record('oauth2ClientCredentials', { endpoint: 'https://e', tokenUrl: 'https://login.example.com/token', scopes: ['b', 'a'] }),
      record('oauth2JwtBearer', { endpoint: 'https://e', tokenUrl: 'https://login.other.example/token', scopes: ['a', 'b', 'c'], audience: 'https://aud.example' }),
      [
        { field: 'authType', from: 'oauth2ClientCredentials', to: 'oauth2JwtBearer' },
        { field: 'tokenUrl', from: 'https://login.example.com/token', to: 'https://login.other.example/token' },
        { field: 'scopes', from: 'a b', to: 'a b c' },
        { field: 'audience', to: 'https://aud.example' },
      ],
    ],
    ['scopes in another order: nothing', record('oauth2ClientCredentials', { scopes: ['b', 'a'] }), record('oauth2ClientCredentials', { scopes: ['a', 'b'] }), []],
  ])('%s', (_name, before, after, expected) => {
    expect(connectionChanges(before, after)).toEqual(expected);
  });

  it.each([
    ['https://user:pw@host.example:8443/a/b?x=1#y', 'https://host.example:8443/a/b?…'],
    ['https://host.example', 'https://host.example'],
    ['https://host.example/', 'https://host.example/'],
    ['postgresql://app:pw@db.example:5432/sales', 'postgresql://db.example:5432/sales'],
    ['user:pw@host/path?q', 'host/path…'],
  ])('displayUrl(%s) is %s', (url, shown) => {
    expect(displayUrl(url)).toBe(shown);
  });
});
