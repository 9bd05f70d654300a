import type { EnvironmentServerConfig } from '../config/read-config.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createActionRuntime } from '../action-runtime/action-runtime.ts';
import { buildEnvironmentServer, type EnvironmentServer } from './build-environment-server.ts';
import { driftCallback } from './drift-notifier.ts';
import { createDriftWatch } from './drift-watch.ts';
import { openStore } from './store/open-store.ts';

export interface RunningEnvironmentServer {
  url: string;
  app: EnvironmentServer;
  logger: Logger;
  stop(): Promise<void>;
}

/** Opens the store, builds the server over it with the runtime and the drift callback, and listens. */
export async function startEnvironmentServer(config: EnvironmentServerConfig): Promise<RunningEnvironmentServer> {
  const logger = createLogger({ level: config.logLevel, service: 'intctl-environment-server' });
  const store = await openStore(config);
  try {
    const notifyDrift = driftCallback({ environment: config.name, ...config.callback, log: logger.child({ component: 'drift-callback' }) });
    const app = await buildEnvironmentServer({
      store,
      tokens: config.tokens,
      logger,
      runtime: createActionRuntime({ source: store, variables: config.variables, log: logger.child({ component: 'runtime' }) }),
      notifyDrift,
    });
    const watch = createDriftWatch({
      observe: () => store.observe(),
      notify: notifyDrift,
      intervalMs: config.callback ? config.driftCheckMs : 0,
      onError: (error) => logger.warn({ cause: (error as Error).message }, 'drift check failed'),
    });
    app.addHook('onClose', async () => watch.stop());
    const url = await app.listen(config.listen);
    logger.info({ url, environment: config.name, store: store.kind }, 'environment server listening');
    return {
      url,
      app,
      logger,
      stop: async () => {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
