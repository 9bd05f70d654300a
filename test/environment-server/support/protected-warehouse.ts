import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type Provider from 'oidc-provider';
import type { TestPki } from '../../support/test-pki.ts';

export interface ProtectedWarehouse {
  url: string;
  /** Calls answered 200. */
  served: number;
  /** Every Authorization header and client certificate subject the server saw, to look for leaks. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * The warehouse's GET /items/{itemId} (fixtures/warehouse-openapi.yaml) behind a real guard:
 * `token` accepts the access tokens `provider` issued and still holds, and a token bound to a
 * certificate (x5t#S256) only over TLS with that certificate; `certificate` is a node:https
 * server that requires and verifies client certificates issued by the test CA
 * (requestCert, rejectUnauthorized), and asks nothing else.
 */
export async function startProtectedWarehouse(options: { guard: 'token'; provider: Provider; pki?: TestPki } | { guard: 'certificate'; pki: TestPki }): Promise<ProtectedWarehouse> {
  const state = { served: 0, seen: [] as string[] };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const answer = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const socket = request.socket as TLSSocket;
    const peer = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    state.seen.push(request.headers.authorization ?? '', peer?.subject ?? '');
    const match = /^\/items\/([^/?]+)/.exec(request.url ?? '');
    if (!match || request.method !== 'GET') return answer(404, { code: 'NotFound', message: 'no such route' });
    if (options.guard === 'token') {
      const value = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const token = value === undefined ? undefined : await options.provider.ClientCredentials.find(value);
      if (!token) return answer(401, { code: 'InvalidToken', message: 'the access token is not valid' });
      const bound = (token as unknown as Record<string, string | undefined>)['x5t#S256'];
      if (bound !== undefined && (!peer || createHash('sha256').update(peer.raw).digest('base64url') !== bound)) {
        return answer(401, { code: 'InvalidToken', message: 'the access token is bound to another certificate' });
      }
    }
    state.served++;
    answer(200, { id: decodeURIComponent(match[1]!), name: 'bolt', quantity: 120, location: 'A1' });
  };
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch(() => response.writeHead(500).end());
  };
  const server: Server = options.pki
    ? createHttpsServer(
        { key: options.pki.server.keyPem, cert: options.pki.server.certificatePem, ca: options.pki.ca.certificatePem, requestCert: true, rejectUnauthorized: options.guard === 'certificate' },
        listener,
      )
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.pki ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const warehouse: ProtectedWarehouse = {
    url,
    get served() {
      return state.served;
    },
    seen: state.seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return warehouse;
}
