import responseValidation from '@fastify/response-validation';
import ajvFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { apiAccess, type AccessHook, type ApiAccessOptions } from '../server/api-access.ts';
import { controllerApiOperation } from '../server/controller-api-spec.ts';
import type { DashboardStore } from './dashboard-store.ts';
import { environmentViewOf, type HistoryEntry } from './environment-view.ts';
import { integrationViewOf, interfaceDiffOf, type ReadCatalog } from './integration-view.ts';
import type { MatrixQuery } from './matrix-view.ts';
import { queryMatrix } from './matrix-view.ts';
import { overviewOf, snapshotOf, type Snapshot } from './overview-view.ts';
import { eventStream } from './event-stream.ts';

export interface DashboardApiOptions {
  store: DashboardStore;
  access: ApiAccessOptions;
  readCatalog: ReadCatalog;
  /** The status commits of an environment, newest first. */
  history: (environment: string) => Promise<HistoryEntry[]>;
  /** Reconcile now: enqueues the environment when it is known. */
  enqueue: (environment: string) => { enqueued: string[]; unknown: string[] };
  /** Reconcile now from the source: fetches the branch and enqueues every environment. */
  enqueueAll: () => string[];
  /** Whether the responses are checked against the document too (on by default; a bench may turn it off). */
  validateResponses?: boolean;
}

const ajvFormats = ajvFormatsModule as unknown as (ajv: unknown) => void;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).send({ error: 'Not Found', message });
}

/**
 * The controller's JSON API under /api/v1/ (specs/controller-api.yaml), read by the dashboard:
 * overview, matrix, environment, integration and interface diff, the event stream, and
 * "reconcile now". Every route's method, path and schemas come from the document, and responses
 * are validated against it, every status code included.
 */
export const dashboardApiRoutes: FastifyPluginAsync<DashboardApiOptions> = async (app, options) => {
  if (options.validateResponses !== false) {
    await app.register(responseValidation, { responseStatusCodeValidation: true, ajv: { removeAdditional: false, plugins: [ajvFormats] } });
  }
  const access = apiAccess(options.access);
  const { store } = options;
  let snapshot: Snapshot | undefined;
  const current = (): Snapshot => (snapshot && snapshot.version === store.version() ? snapshot : (snapshot = snapshotOf(store)));
  // Who may call an operation is the document's word: a token optional (`- {}`) is a read, guarded as readAccess says; a token required is a change.
  const define = (operationId: string, handler: Handler): void => {
    const op = controllerApiOperation(operationId);
    const hook: AccessHook = op.anonymous ? access.read : access.write;
    app.route({ method: op.method as RouteOptions['method'], url: op.route, schema: op.schema, onRequest: hook, handler });
  };

  define('getOverview', async () => overviewOf(current(), store));
  define('getMatrix', async (request) => {
    const snap = current();
    return queryMatrix(snap.rows, snap.order, request.query as MatrixQuery);
  });
  define('getEnvironment', async (request, reply) => {
    const { environment } = request.params as { environment: string };
    const known = current().order.includes(environment) || store.environment(environment) !== undefined;
    if (!known) return notFound(reply, `no environment named ${environment}`);
    const view = environmentViewOf(store, environment, await options.history(environment));
    return view ?? notFound(reply, `no environment named ${environment}`);
  });
  define('getIntegration', async (request, reply) => {
    const { integration } = request.params as { integration: string };
    const { environment } = request.query as { environment?: string };
    const view = await integrationViewOf(current(), integration, options.readCatalog, environment);
    return view ?? notFound(reply, `no integration named ${integration}`);
  });
  define('getInterfaceDiff', async (request, reply) => {
    const { integration } = request.params as { integration: string };
    const { from, to } = request.query as { from: string; to: string };
    const snap = current();
    if (!snap.rows.some((r) => r.name === integration)) return notFound(reply, `no integration named ${integration}`);
    const unknown = [from, to].filter((e) => !snap.order.includes(e));
    if (unknown.length > 0) return notFound(reply, `no environment named ${unknown.join(' or ')}`);
    return interfaceDiffOf(integration, from, to, options.readCatalog);
  });
  define('reconcileEnvironment', async (request, reply) => {
    const { environment } = request.params as { environment: string };
    const { enqueued, unknown } = options.enqueue(environment);
    if (unknown.length > 0) return notFound(reply, `no environment named ${environment}`);
    request.log.info({ environment, enqueued }, 'reconcile now, asked through the API');
    return reply.code(202).send({ result: 'accepted', enqueued });
  });
  define('reconcileSource', async (request, reply) => {
    const enqueued = options.enqueueAll();
    request.log.info({ enqueued }, 'reconcile now, asked through the API');
    return reply.code(202).send({ result: 'accepted', enqueued });
  });
  define('streamEvents', eventStream(app as unknown as FastifyInstance, store));
};
