/**
 * Records and plan actions the driver tests apply: an integration, a connection, and one builder
 * per action type, each with an id that ends in the contract plan's id, as the planner makes them.
 */
import type { ConnectionRecord, PublishedIntegration } from '../../../controller/core/environment-state.ts';
import type { PlanAction } from '../../../controller/core/plan-action.ts';

export const hash = (seed: string): string => `sha256:${Buffer.from(seed).toString('hex').padEnd(64, '0').slice(0, 64)}`;

export function integration(name: string, seed = name): PublishedIntegration {
  return {
    name,
    version: '1.0.0',
    artifactHash: hash(seed),
    system: 'openapi',
    catalog: { entities: [{ name: 'Account', actions: ['GetAccount', 'SearchAccounts'] }] },
    requires: { 'integration-utils': '^2.4.0', 'secret-manager': '^1.3.0' },
    connection: 'crm',
    commit: 'a'.repeat(40),
  };
}

export function connection(name: string, secrets: ConnectionRecord['secrets'] = { apiKey: { env: 'CRM_API_KEY' } }, fingerprint = `${name}-fp`): ConnectionRecord {
  return {
    name,
    system: 'openapi',
    authType: 'apiKey',
    parameters: { endpoint: 'https://crm.example.com/v2', apiKeyIn: 'header', apiKeyName: 'X-API-Key' },
    secrets,
    fingerprint,
  };
}

/**
 * The contract applies its actions as one plan made against an empty log: every action id ends in
 * the plan's id, as the planner makes them.
 */
export const PLAN = { head: 0, id: '0.contract' };
export const PLAN_SUFFIX = `@${PLAN.id}`;

export const publish = (i: PublishedIntegration, id = `publish:${i.name}:${i.artifactHash}${PLAN_SUFFIX}`): PlanAction => ({ id, type: 'Publish', integration: i, reason: 'New', breaking: false });
export const unpublish = (name: string, id = `unpublish:${name}${PLAN_SUFFIX}`): PlanAction => ({ id, type: 'Unpublish', name, reason: 'Pruned' });
export const upsert = (c: ConnectionRecord, id = `connection:${c.name}:${c.fingerprint}${PLAN_SUFFIX}`): PlanAction => ({ id, type: 'UpsertConnection', connection: c, reason: 'New' });
export const deleteConnection = (name: string, id = `delete-connection:${name}${PLAN_SUFFIX}`): PlanAction => ({ id, type: 'DeleteConnection', name, reason: 'Pruned' });
export const updateDependency = (to: string, id = `dependency:integration-utils:${to}${PLAN_SUFFIX}`): PlanAction => ({ id, type: 'UpdateDependency', name: 'integration-utils', to, reason: 'Pinned' });
