import type { EnvironmentServerConfig } from '../config/read-config.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createActionRuntime } from '../action-runtime/action-runtime.ts';
import { buildEnvironmentServer, type EnvironmentServer } from './build-environment-server.ts';
import { driftCallback } from './drift-notifier.ts';
import { createDriftWatch } from './drift-watch.ts';
import type { PreparedEnvironment } from '../environments/store/prepare-environment.ts';
import { openStore } from './store/open-store.ts';

export interface RunningEnvironmentServer {
  url: string;
  app: EnvironmentServer;
  logger: Logger;
  stop(): Promise<void>;
}

/** Opens the store (wrapping its keys with the key file, and saying so), builds the server over it with the runtime and the drift callback, and listens. */
export async function startEnvironmentServer(config: EnvironmentServerConfig): Promise<RunningEnvironmentServer> {
  const logger = createLogger({ level: config.logLevel, service: 'intctl-environment-server' });
  const store = await openStore(config, { onKeys: (event) => logKeys(logger, config, event) });
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

/** Says, once, that the stored keys changed form; names the key files, never a key. */
function logKeys(logger: Logger, config: EnvironmentServerConfig, event: PreparedEnvironment['keys']): void {
  const where = { environment: config.name, keyFile: config.keyFile.path };
  if (event === 'wrapped') logger.warn(where, "the environment's private key and fingerprint key were stored in the clear; they are now wrapped with the key file");
  if (event === 'rewrapped') logger.info({ ...where, previousKeyFile: config.previousKeyFile?.path }, "the environment's keys were wrapped with the previous key file; they are now wrapped with the key file, and the previous one can be retired");
  if (event === 'made') logger.info(where, "made the environment's key pair and fingerprint key, wrapped with the key file");
}
