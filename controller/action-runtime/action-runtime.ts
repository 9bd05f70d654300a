import { Agent } from 'undici';
import type { ActionCatalog, CatalogAction } from '../core/catalog.ts';
import type { ConnectionRecord, PublishedIntegration, StoredSecret } from '../core/environment-state.ts';
import { EnvironmentUnavailableError } from '../environments/driver.ts';
import type { KeyPair } from '../secrets/generate-key-pair.ts';
import { actionFailure, type ActionFailure } from './action-failure.ts';
import { mismatches, ValidatorCache } from './action-validators.ts';
import { authenticate, type Credentials } from './authenticate.ts';
import { buildRequest, type BuiltRequest } from './build-request.ts';
import { callUpstream, type UpstreamAnswer, type UpstreamTransport } from './call-upstream.ts';
import { checkAnswerMediaType } from './check-answer-media-type.ts';
import { ClientKeyCache } from './client-key-cache.ts';
import { DatabasePools, type PoolSecrets } from './database/database-pools.ts';
import { invokeDatabaseAction } from './database/invoke-database-action.ts';
import { describeMissingAction } from './describe-missing-action.ts';
import { atPointer } from '../core/json-pointer.ts';
import { openSecret } from './open-secret.ts';
import { projectOutput } from './project-output.ts';
import { scrubSecrets } from './scrub-secrets.ts';
import { shapeOutput } from './shape-output.ts';
import { TlsTransports } from './tls-transport.ts';
import { TokenCache } from './token-cache.ts';
import { upstreamFailure } from './upstream-failure.ts';

/** Where the runtime reads what is published and the connections: an environment store. */
export interface ActionSource {
  integration(name: string): Promise<PublishedIntegration | undefined>;
  connection(name: string): Promise<ConnectionRecord | undefined>;
  keyPair(): KeyPair;
}

export interface ActionRuntimeOptions {
  source: ActionSource;
  /** The variables `{ env: NAME }` secrets are read from: the server's own. */
  variables: Readonly<Record<string, string | undefined>>;
  /** Calls to the systems and their token endpoints go through it; by default a keep-alive pool per origin (undici), and fetch for tokens. */
  fetch?: typeof fetch;
  /** For the token cache; tests move it. */
  now?: () => number;
  /** One request to the external system (or its token endpoint), at most. */
  timeoutMs?: number;
  /** Search reads at most this many pages of the external system. */
  maxPages?: number;
  log?: { info: (object: object, message: string) => void };
}

export type ActionResult = { ok: true; output: unknown; pages: number } | ActionFailure;

/** Runs published actions. */
export interface ActionRuntime {
  invoke(integration: string, action: string, input: unknown): Promise<ActionResult>;
  /** Closes what the runtime keeps open (database connection pools). */
  close?(): Promise<void>;
}

/**
 * The action runtime: runs one published action against its external system with the bound
 * connection. The input is checked against the action's input schema; the request is built from
 * the catalog; the connection's secrets are opened for this call only and kept nowhere (but a
 * database connection's, which its driver pool holds while it is open: they are opened with it); the call
 * is authenticated (a refused OAuth token is renewed and the call tried once more); Search follows
 * the system's next links (on the endpoint's own origin only) until `top` items or the page limit;
 * an error of the system becomes a failure with its status, code and message; an answer of
 * another media type than the catalog's (asked for in Accept), or JSON that does not parse, is
 * OutputInvalid naming both types; the output is kept to the attributes the manifest selected and
 * checked against the action's output schema. No
 * failure message holds an opened secret or a body.
 */
export function createActionRuntime(options: ActionRuntimeOptions): ActionRuntime {
  const validators = new ValidatorCache();
  const send = options.fetch ?? fetch;
  // Calls to the systems reuse their connections: one keep-alive pool per origin, cheaper per call than fetch.
  const pools = new Agent({ keepAliveTimeout: 10_000 });
  const upstream: UpstreamTransport = options.fetch ?? pools;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxPages = options.maxPages ?? 100;
  const cache = new TokenCache(options.now ? { now: options.now } : {});
  const tls = new TlsTransports();
  const keys = new ClientKeyCache();
  const databases = new DatabasePools({ timeoutMs });

  const run = async (integrationName: string, actionName: string, input: unknown, opened: string[]): Promise<ActionResult> => {
    const integration = await options.source.integration(integrationName);
    if (!integration) return actionFailure('IntegrationNotFound', `no integration ${integrationName} is published here`);
    const catalog = integration.catalog as ActionCatalog;
    const action = actionNamed(catalog, actionName);
    if (!action) return actionFailure('ActionNotFound', describeMissingAction(integrationName, actionName, (catalog?.actions ?? []).map((a) => a.name)));
    const checks = validators.validators(integration.artifactHash, catalog, action);
    if (!checks.input(input)) {
      return actionFailure('InputInvalid', `the input of ${actionName} does not match its schema`, { details: mismatches(checks.input.errors) });
    }
    const connection = await options.source.connection(integration.connection);
    if (!connection) return actionFailure('ConnectionNotFound', `connection ${integration.connection} of integration ${integrationName} is not defined here`);
    const endpoint = connection.parameters.endpoint;
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) return actionFailure('ConnectionInvalid', `connection ${connection.name} has no valid endpoint`);

    if (action.request.database !== undefined) {
      // Variables and files are read on every call (a mounted file changes without a restart);
      // sealed values are opened only when the connection's pool is, as stored they name it.
      const read = await openSecrets(connection, opened, (stored) => !('sealed' in stored));
      if (!read.ok) return read;
      const poolSecrets: PoolSecrets = {
        identity: JSON.stringify([connection.secrets, options.source.keyPair().publicKey, read.values]),
        open: async () => {
          const sealed = await openSecrets(connection, opened, (stored) => 'sealed' in stored);
          return sealed.ok ? { ok: true, values: { ...read.values, ...sealed.values } } : sealed;
        },
      };
      const done = await invokeDatabaseAction(databases, connection, poolSecrets, opened, action, input, timeoutMs);
      if (!done.ok) return done;
      if (!checks.output(done.output)) return actionFailure('OutputInvalid', `${connection.name} read something the output schema of ${actionName} does not allow`, { details: mismatches(checks.output.errors) });
      return { ok: true, output: done.output, pages: 1 };
    }
    const opening = await openSecrets(connection, opened);
    if (!opening.ok) return opening;
    const secrets = opening.values;
    let request: BuiltRequest;
    try {
      request = buildRequest(action.request, input as Record<string, unknown>, endpoint, fixedQuery(connection));
    } catch (error) {
      return actionFailure('InputInvalid', `the input of ${actionName} cannot fill its request: ${(error as Error).message}`);
    }
    const context = { cache, tls, keys, fetch: send, timeoutMs, now: options.now ?? Date.now };
    let credentials = await authenticate(connection, secrets, context);
    if ('ok' in credentials) return credentials;

    let answer = await sendWith(request, credentials);
    if (!('ok' in answer) && answer.status === 401 && credentials.refused()) {
      credentials = await authenticate(connection, secrets, context);
      if ('ok' in credentials) return credentials;
      answer = await sendWith(request, credentials);
    }
    if ('ok' in answer) return answer;
    if (answer.status < 200 || answer.status > 299) return upstreamFailure(answer, request.url.origin);
    const unreadable = checkAnswerMediaType(actionName, request.headers.accept!, answer, request.url.origin);
    if (unreadable) return unreadable;

    const pages: unknown[] = [answer.body];
    if (action.kind === 'Search' && action.request.paging?.nextLink !== undefined) {
      const followed = await followPages(action, input as Record<string, unknown>, request, answer, credentials, pages);
      if (followed) return followed;
    }
    const output = projectOutput(action, catalog, shapeOutput(action, checks.outputSchema, pages, catalog.system === 'odata'));
    if (!checks.output(output)) {
      return actionFailure('OutputInvalid', `${request.url.origin} answered something the output schema of ${actionName} does not allow`, { details: mismatches(checks.output.errors) });
    }
    return { ok: true, output, pages: pages.length };
  };

  /** Opens the connection's secrets (those `which` picks) for this call, each added to `opened`. */
  const openSecrets = async (connection: ConnectionRecord, opened: string[], which: (stored: StoredSecret) => boolean = () => true): Promise<{ ok: true; values: Record<string, string> } | ActionFailure> => {
    const values: Record<string, string> = {};
    for (const [field, stored] of Object.entries(connection.secrets)) {
      if (!which(stored)) continue;
      const secret = await openSecret(stored, options.source.keyPair(), options.variables);
      if (!secret.ok) return actionFailure('SecretUnavailable', `connection ${connection.name}: secret ${field}: ${secret.message}`);
      values[field] = secret.value;
      opened.push(secret.value);
    }
    return { ok: true, values };
  };

  const sendWith = (request: BuiltRequest, credentials: Credentials): Promise<UpstreamAnswer | ActionFailure> => {
    const authenticated: BuiltRequest = { ...request, url: new URL(request.url), headers: { ...request.headers } };
    credentials.apply(authenticated);
    return callUpstream(authenticated, credentials.dispatcher ?? upstream, timeoutMs);
  };

  /** Reads the next pages into `pages`; a failure when one cannot be read. */
  const followPages = async (action: CatalogAction, input: Record<string, unknown>, first: BuiltRequest, answer: UpstreamAnswer, credentials: Credentials, pages: unknown[]): Promise<ActionFailure | undefined> => {
    const want = typeof input.top === 'number' ? input.top : Number.POSITIVE_INFINITY;
    const countItems = (): number => pages.reduce<number>((n, page) => n + ((atPointer(page, action.request.response.pointer) as unknown[] | undefined)?.length ?? 0), 0);
    let current = answer;
    let url = first.url;
    while (pages.length < maxPages && countItems() < want) {
      const next = atPointer(current.body, action.request.paging!.nextLink!);
      if (typeof next !== 'string' || next === '') return undefined;
      const nextUrl = new URL(next, url);
      if (nextUrl.origin !== first.url.origin) {
        return actionFailure('UpstreamFailed', `${first.url.origin} gave a next link to another origin (${nextUrl.origin}); it is not followed with the connection's credentials`);
      }
      const page = await sendWith({ method: 'GET', url: nextUrl, headers: withoutBodyHeaders(first.headers) }, credentials);
      if ('ok' in page) return page;
      if (page.status < 200 || page.status > 299) return upstreamFailure(page, nextUrl.origin);
      const unreadable = checkAnswerMediaType(action.name, first.headers.accept!, page, nextUrl.origin);
      if (unreadable) return unreadable;
      pages.push(page.body);
      current = page;
      url = nextUrl;
    }
    return undefined;
  };

  return {
    close: async () => {
      await Promise.all([databases.close(), tls.close(), pools.close()]);
    },
    async invoke(integration, action, input) {
      const started = Date.now();
      const opened: string[] = [];
      let result: ActionResult;
      try {
        result = await run(integration, action, input, opened);
      } catch (error) {
        if (!(error instanceof EnvironmentUnavailableError)) throw error;
        result = actionFailure('EnvironmentUnavailable', error.message);
      }
      if (!result.ok) result = { ...result, body: scrubSecrets(result.body, opened) };
      options.log?.info(
        { integration, action, ok: result.ok, ...(result.ok ? { pages: result.pages } : { reason: result.body.reason, upstreamStatus: result.body.upstream?.status }), ms: Date.now() - started },
        'action call',
      );
      return result;
    },
  };
}

const actionIndexes = new WeakMap<ActionCatalog, Map<string, CatalogAction>>();

/** The action of a catalog by name, from an index made once per catalog (the store keeps one catalog object per publication): a catalog of a thousand actions is not searched on every call. */
function actionNamed(catalog: ActionCatalog | undefined, name: string): CatalogAction | undefined {
  if (!catalog?.actions) return undefined;
  let index = actionIndexes.get(catalog);
  if (index === undefined) {
    index = new Map();
    for (const a of catalog.actions) if (!index.has(a.name)) index.set(a.name, a);
    actionIndexes.set(catalog, index);
  }
  return index.get(name);
}

/** The connection's `parameters`: query parameters sent with every request (not secret). */
function fixedQuery(connection: ConnectionRecord): Record<string, string> {
  const given = connection.parameters.parameters;
  if (given === null || typeof given !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given as Record<string, unknown>)) if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _type, ...rest } = headers;
  return rest;
}
