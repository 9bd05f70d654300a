import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { fastify } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createDashboardStore } from '../../controller/dashboard/dashboard-store.ts';
import { registerDashboard } from '../../controller/dashboard/register-dashboard.ts';
import { CONTROLLER_API_SPEC_PATH, controllerApiOperation, controllerApiOperations } from '../../controller/server/controller-api-spec.ts';
import { statusRoutes } from '../../controller/server/status-routes.ts';
import type { EnvironmentStatus } from '../../controller/core/environment-status.ts';

describe('the controller API document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = (await SwaggerParser.validate(CONTROLLER_API_SPEC_PATH)) as { openapi: string };
    expect(document.openapi).toBe('3.1.0');
  });

  it('has a route for every operation, each needing the token it says', async () => {
    const app = fastify();
    await registerDashboard(app, {
      store: createDashboardStore(() => []),
      access: { readAccess: 'public' },
      openDriver: async () => {
        throw new Error('none');
      },
      history: async () => [],
      enqueue: () => ({ enqueued: [], unknown: [] }),
      enqueueAll: () => [],
    });
    await app.register(statusRoutes, { statuses: () => [] });
    await app.ready();
    for (const op of controllerApiOperations().values()) expect(app.hasRoute({ method: op.method as 'GET', url: op.route }), `${op.method} ${op.path}`).toBe(true);
    expect([...controllerApiOperations().values()].filter((op) => !op.anonymous).map((op) => op.operationId)).toEqual(['reconcileSource', 'reconcileEnvironment']);
  });

  it("GET /api/v1/status, whose route keeps its own schema, answers what the document describes", async () => {
    const status: EnvironmentStatus = {
      environment: 'dev',
      conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'in step with Git', observedCommit: 'a'.repeat(40), lastTransitionTime: '2026-12-02T00:00:00.000Z' }],
      observedCommit: 'a'.repeat(40),
      lastReconcileTime: '2026-12-02T00:00:00.000Z',
      lastSuccessfulReconcileTime: '2026-12-02T00:00:00.000Z',
      outcome: 'Applied',
      published: [{ integration: 'crm', version: 'd4737550dc21', artifactHash: `sha256:${'d'.repeat(64)}`, commit: 'a'.repeat(40) }],
      lastApplied: { commit: 'a'.repeat(40), at: '2026-12-02T00:00:00.000Z', actions: ['publish crm (new)'] },
    };
    const app = fastify();
    await app.register(statusRoutes, { statuses: () => [status] });
    const body = (await app.inject({ url: '/api/v1/status' })).json();
    const validate = new Ajv2020({ strict: false }).compile(controllerApiOperation('getStatus').schema.response['200']!);
    expect([validate(body), validate.errors ?? []]).toEqual([true, []]);
    expect(body.environments[0]).toMatchObject({ name: 'dev', outcome: 'Applied', lastApplied: { actions: ['publish crm (new)'] } });
  });
});
