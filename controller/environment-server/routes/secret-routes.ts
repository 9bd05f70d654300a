import type { FastifyPluginAsync } from 'fastify';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';
import type { SealedKeyPair } from '../../secrets/verify-key-pair.ts';

export interface SecretRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
}

/**
 * Verifying sealed values for a plan: the controller holds no key, so it asks the environment
 * which of the values it would apply open here, and whether each sealed private key belongs to its
 * certificate. The answers are one boolean a value and one verdict a key pair; what opens is
 * discarded in the store and never reaches a response or a log line.
 */
export const secretRoutes: FastifyPluginAsync<SecretRoutesOptions> = async (app, { store, tokens }) => {
  defineRoute(app, tokens, 'verifySealed', async (request) => {
    const { sealed } = request.body as { sealed: string[] };
    return { opens: await store.verifySealed(sealed) };
  });
  defineRoute(app, tokens, 'verifyKeyPairs', async (request) => {
    const { pairs } = request.body as { pairs: SealedKeyPair[] };
    return { verdicts: await store.verifyKeyPairs(pairs) };
  });
};
