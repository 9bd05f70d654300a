/**
 * A real HTTP receiver on a loopback port, standing in for Slack, Teams or a webhook: it keeps
 * every request and answers each with the next status the test gave (200 once they run out), or
 * holds it unanswered (`hang`) until closed.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../../support/time.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests held unanswered right now (`hang`). */
  held: () => number;
  /** Answers the held requests 200, and every request after them at once. */
  release(): void;
  /** Resolves once `count` requests have come in. */
  received(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(options: { answers?: Array<number | { status: number; retryAfter?: string }>; hang?: boolean; path?: string } = {}): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const answers = [...(options.answers ?? [])];
  const holding = new Set<ServerResponse>();
  let hang = options.hang ?? false;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (hang) {
        holding.add(response);
        return;
      }
      const next = answers.shift() ?? 200;
      const answer = typeof next === 'number' ? { status: next } : next;
      response.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}) });
      response.end(answer.status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hook'}`,
    requests,
    held: () => holding.size,
    release: () => {
      hang = false;
      for (const response of holding) response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      holding.clear();
    },
    received: (count) => until(`${count} requests at the receiver`, () => (requests.length >= count ? requests.slice(0, count) : undefined)),
    close: async () => {
      for (const response of holding) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL where nothing listens: a receiver that is down. */
export async function downUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}
