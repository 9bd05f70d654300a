import responseValidation from '@fastify/response-validation';
import ajvFormatsModule from 'ajv-formats';
import { fastify, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { requestLogger, type Logger } from '../observability/logger.ts';
import { createActionRuntime, type ActionRuntime } from '../action-runtime/action-runtime.ts';
import type { ServerTokens } from './authorize.ts';
import type { DriftNotifier } from './drift-notifier.ts';
import { handleError } from './reply-error.ts';
import { actionRoutes } from './routes/action-routes.ts';
import { applyRoutes } from './routes/apply-routes.ts';
import { connectionRoutes } from './routes/connection-routes.ts';
import { environmentRoutes } from './routes/environment-routes.ts';
import { integrationRoutes } from './routes/integration-routes.ts';
import { leaseRoutes } from './routes/lease-routes.ts';
import { secretRoutes } from './routes/secret-routes.ts';
import type { EnvironmentStore } from '../environments/store/environment-store.ts';

const ajvFormats = ajvFormatsModule as unknown as (ajv: unknown) => void;

export interface EnvironmentServerDeps {
  store: EnvironmentStore;
  tokens: ServerTokens;
  logger: Logger;
  /** Runs published actions; by default one over the store, reading `{ env }` secrets from no variables. */
  runtime?: ActionRuntime;
  /** Tells the controller of a change made outside Git; by default nobody is told. */
  notifyDrift?: DriftNotifier;
  /** The largest request body, in bytes: a Publish carries a whole catalog. */
  bodyLimit?: number;
  /** Check every response against the Environment API before it is sent (the default). */
  validateResponses?: boolean;
}

export type EnvironmentServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

/**
 * The environment server, built but not listening (`listen()` is the caller's): the Environment
 * API over one environment store, each group of routes an encapsulated plugin whose schemas come
 * from specs/environment-api.yaml. Requests are validated on the way in (unknown fields refused,
 * nothing coerced) and responses on the way out, every status code included.
 */
export async function buildEnvironmentServer(deps: EnvironmentServerDeps): Promise<EnvironmentServer> {
  const app = fastify({
    loggerInstance: deps.logger.child({ component: 'environment-server', environment: deps.store.name }),
    bodyLimit: deps.bodyLimit ?? 64 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    childLoggerFactory: (logger, bindings, options) => requestLogger(logger as Logger, bindings, options),
  });
  app.setErrorHandler(handleError);
  if (deps.validateResponses !== false) {
    await app.register(responseValidation, {
      responseStatusCodeValidation: true,
      ajv: { removeAdditional: false, coerceTypes: false, useDefaults: false, plugins: [ajvFormats] },
    });
  }
  const notifyDrift = deps.notifyDrift ?? (async () => 'none' as const);
  const shared = { store: deps.store, tokens: deps.tokens };
  await app.register(environmentRoutes, shared);
  await app.register(leaseRoutes, shared);
  await app.register(applyRoutes, shared);
  await app.register(integrationRoutes, { ...shared, notifyDrift });
  await app.register(connectionRoutes, { ...shared, notifyDrift });
  await app.register(secretRoutes, shared);
  const runtime = deps.runtime ?? createActionRuntime({ source: deps.store, variables: {}, log: app.log });
  app.addHook('onClose', async () => runtime.close?.());
  await app.register(actionRoutes, { runtime, tokens: deps.tokens });
  return app;
}
