import type { FastifyPluginAsync } from 'fastify';
import { checkAction } from '../../environments/check-action.ts';
import type { ApplyContext } from '../../environments/driver.ts';
import type { PlanAction } from '../../core/plan-action.ts';
import type { ServerTokens } from '../authorize.ts';
import { defineRoute } from '../define-route.ts';
import type { EnvironmentStore } from '../../environments/store/environment-store.ts';

export interface ApplyRoutesOptions {
  store: EnvironmentStore;
  tokens: ServerTokens;
}

interface ApplyBody {
  action?: PlanAction;
  context?: ApplyContext;
}

interface ApplyUnitBody {
  actions?: PlanAction[];
  context?: ApplyContext;
}

/**
 * Applying one action, and the log. A body that does not match ApplyRequest is refused; when the
 * action itself is what does not match, the refusal carries the reason every driver gives
 * (checkAction: PlainSecretRefused, SecretUnsealFailed, InvalidAction), as a 422 that changed nothing.
 * A unit of actions is applied in one transaction of the store: all of them, or none.
 */
export const applyRoutes: FastifyPluginAsync<ApplyRoutesOptions> = async (app, { store, tokens }) => {
  defineRoute(
    app,
    tokens,
    'applyAction',
    async (request, reply) => {
      const body = request.body as ApplyBody | undefined;
      if (request.validationError) {
        const where = request.validationError.validation?.[0]?.instancePath ?? '';
        if (!where.startsWith('/action') || typeof body?.action !== 'object' || body.action === null) {
          return reply.code(400).send({ error: 'BadRequest', message: request.validationError.message });
        }
        return reply.code(422).send(refusalOf([body.action], request.validationError.message, store));
      }
      return { outcome: await store.apply(body!.action!, body!.context!) };
    },
    { attachValidation: true },
  );
  defineRoute(
    app,
    tokens,
    'applyActionUnit',
    async (request, reply) => {
      const body = request.body as ApplyUnitBody | undefined;
      if (request.validationError) {
        const where = request.validationError.validation?.[0]?.instancePath ?? '';
        const actions = body?.actions;
        if (!/^\/actions\/\d+/.test(where) || !Array.isArray(actions) || actions.some((a) => typeof a !== 'object' || a === null)) {
          return reply.code(400).send({ error: 'BadRequest', message: request.validationError.message });
        }
        return reply.code(422).send(refusalOf(actions, request.validationError.message, store));
      }
      return { outcomes: await store.applyUnit(body!.actions!, body!.context!) };
    },
    { attachValidation: true },
  );
  defineRoute(app, tokens, 'actionLog', async () => ({ actions: await store.actionLog() }));
};

/** The 422 body of actions the API's schema refused: the reason checkAction gives the first it refuses, else InvalidAction. */
function refusalOf(actions: readonly PlanAction[], validation: string, store: EnvironmentStore) {
  for (const action of actions) {
    const refusal = checkAction(action, store.keyPair());
    if (refusal) return { error: 'ActionRefused', reason: refusal.reason, message: refusal.message };
  }
  return { error: 'ActionRefused', reason: 'InvalidAction', message: `the action does not match PlanAction: ${validation}` };
}
