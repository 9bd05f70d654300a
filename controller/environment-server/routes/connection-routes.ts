import type { FastifyPluginAsync } from 'fastify';
import type { ConnectionRecord } from '../../core/environment-state.ts';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { DriftNotifier } from '../drift-notifier.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';

export interface ConnectionRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
  notifyDrift: DriftNotifier;
}

/** A connection as it may be shown to anyone: each secret field reduced to how it is given. */
export function connectionSummary(record: ConnectionRecord) {
  const secrets: Record<string, string> = {};
  for (const [field, secret] of Object.entries(record.secrets)) secrets[field] = Object.keys(secret)[0] ?? 'unknown';
  return { name: record.name, system: record.system, authType: record.authType, parameters: record.parameters, secrets, fingerprint: record.fingerprint };
}

/** Connections: safe summaries out; an operator's edit by hand in (sealed values or references only), which is drift. */
export const connectionRoutes: FastifyPluginAsync<ConnectionRoutesOptions> = async (app, { store, tokens, notifyDrift }) => {
  defineRoute(app, tokens, 'listConnections', async () => ({ connections: (await store.observe()).connections.map(connectionSummary) }));
  defineRoute(app, tokens, 'editConnectionByHand', async (request) => {
    const { connection } = request.params as { connection: string };
    const body = request.body as Omit<ConnectionRecord, 'name' | 'fingerprint'>;
    await store.editConnectionByHand({ ...body, name: connection, fingerprint: 'manual' });
    const changed = `connection/${connection}`;
    request.log.info({ changed }, 'connection edited by hand');
    return { changed, callback: await notifyDrift(changed) };
  });
};
