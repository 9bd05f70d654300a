import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironmentServer, type EnvironmentServer, type EnvironmentServerDeps } from '../../../controller/environment-server/build-environment-server.ts';
import type { ServerTokens } from '../../../controller/environment-server/authorize.ts';
import type { EnvironmentStore } from '../../../controller/environments/store/environment-store.ts';
import { openEmbeddedEnvironment } from '../../../controller/environments/embedded/open-embedded-environment.ts';
import { HttpEnvironment } from '../../../controller/environments/http/http-environment.ts';
import { createLogger } from '../../../controller/observability/logger.ts';
import { captureLogs } from '../../runtime/support/capture-logs.ts';
import { testClock } from './test-clock.ts';

export const TOKENS: ServerTokens = {
  controller: 'controller-token-0123456789abcdef',
  applications: ['app-token-one-0123456789abcdef', 'app-token-two-0123456789abcdef'],
  operator: 'operator-token-0123456789abcdef',
};

/** Makes a fresh store for one test: a SQLite file in a temporary directory, or a PostgreSQL schema. */
export type StoreFactory = (name: string, now: () => Date) => Promise<{ store: EnvironmentStore; drop: () => Promise<void> }>;

export const sqliteStores: StoreFactory = async (name, now) => {
  const dir = await mkdtemp(join(tmpdir(), 'intctl-envserver-'));
  const store = await openEmbeddedEnvironment(join(dir, `${name}.db`), { name, now });
  return { store, drop: () => rm(dir, { recursive: true, force: true }) };
};

export interface ServedEnvironment {
  url: string;
  app: EnvironmentServer;
  store: EnvironmentStore;
  /** The http driver, with the controller's token. */
  driver: HttpEnvironment;
  clock: ReturnType<typeof testClock>;
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

/** An environment server over a fresh store, listening on a loopback port, and an http driver for it. */
export async function serveEnvironment(
  options: { name?: string; stores?: StoreFactory; deps?: Partial<Omit<EnvironmentServerDeps, 'store' | 'logger'>> } = {},
): Promise<ServedEnvironment> {
  const name = options.name ?? 'dev';
  const clock = testClock();
  const { store, drop } = await (options.stores ?? sqliteStores)(name, clock.now);
  const logs = captureLogs();
  const app = await buildEnvironmentServer({
    store,
    tokens: TOKENS,
    logger: createLogger({ level: 'debug', destination: logs.destination }),
    ...options.deps,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const driver = new HttpEnvironment({ name, url, token: TOKENS.controller });
  return {
    url,
    app,
    store,
    driver,
    clock,
    logs,
    close: async () => {
      await driver.close();
      await app.close();
      await store.close();
      await drop();
    },
  };
}

/** One environment server for many tests: `open` gives each a fresh store behind it. */
export interface SharedEnvironmentServer {
  /**
   * A fresh store (with its own clock and keys) behind the shared server, and an http driver for
   * it; its `close` closes and removes that store only. The server is built on the first open.
   */
  open(): Promise<ServedEnvironment>;
  /** Stops the server; every store opened must be closed first. */
  close(): Promise<void>;
}

/**
 * An environment server built once and served over a fresh store per test. Building the server
 * (fastify compiling every route's request and response schemas) costs several times what a
 * store does, and it holds nothing of an environment: each route asks the store it was given at
 * the time of the request, so handing it a store that forwards to the current test's store gives
 * every test a new environment through the same server code. Its log is the server's, over all
 * the tests it served.
 */
export function sharedEnvironmentServer(
  options: { name?: string; stores?: StoreFactory; deps?: Partial<Omit<EnvironmentServerDeps, 'store' | 'logger'>> } = {},
): SharedEnvironmentServer {
  const name = options.name ?? 'dev';
  let current: EnvironmentStore | undefined;
  const forward = new Proxy({} as EnvironmentStore, {
    get(_, key) {
      if (current === undefined) throw new Error('test setup: the shared environment server was called with no store open');
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
  let server: { app: EnvironmentServer; url: string; logs: ReturnType<typeof captureLogs> } | undefined;
  return {
    async open() {
      if (current !== undefined) throw new Error('test setup: the shared environment server already has a store open');
      const clock = testClock();
      const { store, drop } = await (options.stores ?? sqliteStores)(name, clock.now);
      current = store;
      if (server === undefined) {
        const logs = captureLogs();
        const app = await buildEnvironmentServer({
          store: forward,
          tokens: TOKENS,
          logger: createLogger({ level: 'debug', destination: logs.destination }),
          ...options.deps,
        });
        server = { app, url: await app.listen({ host: '127.0.0.1', port: 0 }), logs };
      }
      const driver = new HttpEnvironment({ name, url: server.url, token: TOKENS.controller });
      return {
        ...server,
        store,
        driver,
        clock,
        close: async () => {
          await driver.close();
          current = undefined;
          await store.close();
          await drop();
        },
      };
    },
    async close() {
      await server?.app.close();
      server = undefined;
    },
  };
}
