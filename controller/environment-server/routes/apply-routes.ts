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

/**
 * Applying one action, and the log. A body that does not match ApplyRequest is refused; when the
 * action itself is what does not match, the refusal carries the reason every driver gives
 * (checkAction: PlainSecretRefused, SecretUnsealFailed, InvalidAction), as a 422 that changed nothing.
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
        const refusal = checkAction(body.action, store.keyPair());
        const reason = refusal?.reason ?? 'InvalidAction';
        const message = refusal?.message ?? `the action does not match PlanAction: ${request.validationError.message}`;
        return reply.code(422).send({ error: 'ActionRefused', reason, message });
      }
      return { outcome: await store.apply(body!.action!, body!.context!) };
    },
    { attachValidation: true },
  );
  defineRoute(app, tokens, 'actionLog', async () => ({ actions: await store.actionLog() }));
};
