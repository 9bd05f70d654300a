import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildArtifact, type Artifact, type ArtifactCache } from '../../controller/artifact/build-artifact.ts';
import { openDriver } from '../../controller/environments/open-driver.ts';
import type { Integration } from '../../controller/generated/manifests.ts';
import { createEnvironmentRunner } from '../../controller/reconcilers/environment/environment-runner.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import type { GitSource } from '../../controller/source/git-source.ts';
import { connection, ENVIRONMENT, makeRepo, salesIntegration, spec, type Repo } from './support.ts';

/** A Map that counts what was generated (every miss is followed by a set). */
function countingCache(): ArtifactCache & { generated: string[] } {
  const map = new Map<string, Artifact>();
  const generated: string[] = [];
  return {
    generated,
    get: (hash) => map.get(hash),
    set: (hash, artifact) => {
      generated.push(artifact.integration);
      map.set(hash, artifact);
    },
  };
}

describe('buildArtifact with a cache', () => {
  const integration: Integration = {
    apiVersion: 'intctl.dev/v1alpha1',
    kind: 'Integration',
    metadata: { name: 'orders' },
    spec: { system: 'odata', source: { path: 'specs/sales.edmx' }, entities: [{ name: 'A_SalesOrder', operations: ['Get'] }], connection: 'sap', environments: ['dev'] },
  };
  const specBytes = new TextEncoder().encode(spec('sales-v2.edmx'));

  it('returns the artifact generated before for the same inputs, and generates again when any input changes', async () => {
    const cache = countingCache();
    const first = await buildArtifact({ integration, specBytes, specPath: 'specs/sales.edmx' }, cache);
    const again = await buildArtifact({ integration, specBytes, specPath: 'specs/sales.edmx' }, cache);
    expect(first.ok && again.ok && again.value === first.value).toBe(true);
    expect(again).toEqual(await buildArtifact({ integration, specBytes, specPath: 'specs/sales.edmx' }));

    await buildArtifact({ integration, specBytes, specPath: 'specs/sales.edmx', pins: { 'integration-utils': '3.0.0' } }, cache);
    await buildArtifact({ integration, specBytes: new TextEncoder().encode(spec('sales-v2.edmx').replace('GetOpenOrders', 'GetOpenOrders2')), specPath: 'specs/sales.edmx' }, cache);
    await buildArtifact({ integration: { ...integration, spec: { ...integration.spec, entities: [{ name: 'A_SalesOrder', operations: ['Get', 'Search'] }] } }, specBytes, specPath: 'specs/sales.edmx' }, cache);
    expect(cache.generated).toEqual(['orders', 'orders', 'orders', 'orders']);
  });
});

describe('an incremental reconcile', () => {
  let repo: Repo;
  let source: GitSource;
  beforeEach(() => {
    repo = makeRepo('intctl-incremental-');
    repo.write('environments/dev.yaml', ENVIRONMENT);
    repo.write('connections/sap.yaml', connection());
    repo.write('specs/sales.edmx', spec('sales-v2.edmx'));
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) repo.write(`integrations/${name}.yaml`, salesIntegration(name));
    source = createGitSource({ url: repo.remote, branch: 'main', dir: join(repo.root, 'mirror') });
  });
  afterEach(async () => {
    await source.close();
    repo.cleanup();
  });

  it('generates and publishes only the integration a commit changed', async () => {
    const cache = countingCache();
    const stateDir = join(repo.root, 'state');
    const reconcile = async () => {
      const loaded = await source.load(await source.fetch());
      const runner = createEnvironmentRunner({
        load: async () => loaded,
        openDriver: (environment) => openDriver(environment.manifest, { stateDir }),
        trigger: 'automatic',
        holder: 'test',
        leaseTtlMs: 30_000,
        artifactCache: cache,
      });
      return (await runner.reconcile('dev', 'apply')).report;
    };
    repo.commit('four integrations');
    const cold = await reconcile();
    expect(cold.outcome.kind).toBe('Applied');
    expect(cache.generated.sort()).toEqual(['alpha', 'beta', 'delta', 'gamma']);

    cache.generated.length = 0;
    repo.write('integrations/gamma.yaml', salesIntegration('gamma', ['Get', 'Search', 'Count']));
    repo.commit('gamma counts');
    const warm = await reconcile();
    expect(cache.generated).toEqual(['gamma']);
    expect(warm.outcome).toEqual({ kind: 'Applied', applied: 1, drifted: [] });
    expect(warm.plan!.actions.map((a) => [a.type, a.type === 'Publish' ? a.integration.name : '', a.type === 'Publish' ? a.reason : ''])).toEqual([['Publish', 'gamma', 'Changed']]);
  });
});
