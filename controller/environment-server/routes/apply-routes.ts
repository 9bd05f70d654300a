import type { FastifyPluginAsync, FastifyReply } from 'fastify';
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
      if (request.validationError) return refuse(request.validationError, reply, body?.action === undefined ? undefined : [body.action], /^\/action(\/|$)/, store);
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
      if (request.validationError) return refuse(request.validationError, reply, body?.actions, /^\/actions\/\d+/, store);
      return { outcomes: await store.applyUnit(body!.actions!, body!.context!) };
    },
    { attachValidation: true },
  );
  defineRoute(app, tokens, 'actionLog', async () => ({ actions: await store.actionLog() }));
};

/**
 * A body the API's schema refused: 400 when what is wrong is outside the actions (the envelope,
 * the context), else a 422 refusal that names the reason of the action at fault.
 */
function refuse(error: { message: string; validation?: Array<{ instancePath?: string }> }, reply: FastifyReply, actions: unknown, inActions: RegExp, store: EnvironmentStore) {
  const where = error.validation?.[0]?.instancePath ?? '';
  if (!inActions.test(where) || !Array.isArray(actions) || actions.some((a) => typeof a !== 'object' || a === null)) {
    return reply.code(400).send({ error: 'BadRequest', message: error.message });
  }
  return reply.code(422).send(refusalOf(actions as PlanAction[], error.message, store));
}

/** The 422 body of actions the API's schema refused: the reason checkAction gives the first it refuses, else InvalidAction. */
function refusalOf(actions: readonly PlanAction[], validation: string, store: EnvironmentStore) {
  for (const action of actions) {
    const refusal = checkAction(action, store.keyPair());
    if (refusal) return { error: 'ActionRefused', reason: refusal.reason, message: refusal.message };
  }
  return { error: 'ActionRefused', reason: 'InvalidAction', message: `the action does not match PlanAction: ${validation}` };
}
