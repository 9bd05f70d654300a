import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact } from '../../controller/artifact/build-artifact.ts';
import type { LoadedObject } from '../../controller/core/manifest.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import type { Environment } from '../../controller/generated/manifests.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { createStatusWriter } from '../../controller/reporting/status-branch/create-status-writer.ts';
import { statusDocument } from '../../controller/reporting/status-branch/status-document.ts';
import { connection, ENVIRONMENT, makeRepo, salesIntegration, spec, type Repo } from './support.ts';

const SECRET = 'planted-Secret-d0-not-leak-4711';

let repo: Repo;
beforeEach(() => {
  repo = makeRepo('intctl-status-secrets-');
  repo.write('environments/dev.yaml', ENVIRONMENT);
  repo.write('connections/sap.yaml', connection(SECRET));
  repo.write('specs/sales.edmx', spec('sales-v2.edmx'));
  repo.write('integrations/orders.yaml', salesIntegration('orders'));
});
afterEach(() => repo.cleanup());

describe('status commits', () => {
  it('carry no secret of a connection the reconcile applied, nor its fingerprint', async () => {
    const commit = repo.commit('manifests with a plain secret');
    const source = createGitSource({ url: repo.remote, branch: 'main', dir: join(repo.root, 'mirror') });
    const stateDir = join(repo.root, 'state');
    const open = (environment: LoadedObject<Environment>) => openDriver(environment.manifest, { stateDir });
    try {
      const loaded = await source.load(await source.fetch());
      expect(loaded.errors).toEqual([]);
      const at = '2025-01-02T03:04:05.000Z';
      const runner = createEnvironmentRunner({
        load: async () => loaded,
        openDriver: open,
        trigger: 'automatic',
        holder: 'test',
        leaseTtlMs: 30_000,
        artifactCache: new Map<string, Artifact>(),
        now: () => new Date(at),
      });
      const { report, finalized } = await runner.reconcile('dev', 'apply');
      // Five shared dependencies, the connection and the integration.
      expect(report.outcome).toEqual({ kind: 'Applied', applied: 7, drifted: [] });
      const driver = await open(loaded.set.environments[0]!);
      const observed = await driver.observe();
      await driver.close();
      // The connection, secret and all, did reach the environment: there was something to leak.
      expect(observed.connections.map((c) => c.name)).toEqual(['sap']);
      const fingerprint = observed.connections[0]!.fingerprint;
      const sealed = Object.values(observed.connections[0]!.secrets).map((s) => ('sealed' in s ? s.sealed : ''));

      const document = statusDocument({
        environment: 'dev',
        commit,
        conditions: finalized.status.conditions,
        observed,
        applied: { commit, at, actions: report.plan!.actions },
      });
      const writer = createStatusWriter({ url: repo.remote, dir: join(repo.root, 'status'), author: { name: 'intctl', email: 'intctl@example.com' } });
      expect(await writer.write(document)).toBe('written');

      const blobs = repo.blobsOf('intctl/status');
      expect(blobs).toHaveLength(1);
      expect(blobs[0]).toContain('integration: orders');
      expect(blobs[0]).toContain('UpsertConnection sap (New)');
      for (const leak of [SECRET, Buffer.from(SECRET).toString('base64'), fingerprint, ...sealed.filter((s) => s.length > 0)]) {
        for (const blob of blobs) expect(blob).not.toContain(leak);
      }
      expect(repo.blobsOf('main').some((blob) => blob.includes(SECRET))).toBe(true);
    } finally {
      await source.close();
    }
  });
});
