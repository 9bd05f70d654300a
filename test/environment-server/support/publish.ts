import { createHash } from 'node:crypto';
import type { ActionCatalog } from '../../../controller/core/catalog.ts';
import type { ConnectionRecord, PublishedIntegration } from '../../../controller/core/environment-state.ts';
import type { EnvironmentDriver } from '../../../controller/environments/driver.ts';
import { generatorFor } from '../../../controller/generators/registry.ts';
import type { IntegrationSpec, SystemKind } from '../../../controller/generated/manifests.ts';

const COMMIT = 'e'.repeat(40);

/** Generates an integration's catalog from a specification with the real generator of its system. */
export async function generateCatalog(name: string, system: SystemKind, specBytes: Uint8Array, spec: Omit<IntegrationSpec, 'system' | 'source' | 'connection' | 'environments'>): Promise<ActionCatalog> {
  const found = generatorFor(system);
  if (!found.ok) throw new Error(found.message);
  const full = { system, source: { path: `specs/${name}` }, connection: name, environments: ['dev'], ...spec } as IntegrationSpec;
  const model = await found.generator.parse(specBytes, full.source);
  if (!model.ok) throw new Error(`parsing ${name}: ${JSON.stringify(model.problems)}`);
  const result = found.generator.generate(model.value, { name, spec: full, specPath: `specs/${name}`, dependencies: {} });
  if (!result.ok) throw new Error(`generating ${name}: ${JSON.stringify(result.problems)}`);
  return result.value;
}

/** Publishes an integration and upserts its connection through a driver, under its lease, as the controller's apply does. */
export async function publishWith(driver: EnvironmentDriver, catalog: ActionCatalog, connection: ConnectionRecord): Promise<PublishedIntegration> {
  const integration: PublishedIntegration = {
    name: catalog.integration,
    version: '1.0.0',
    artifactHash: `sha256:${createHash('sha256').update(JSON.stringify(catalog)).digest('hex')}`,
    system: catalog.system,
    catalog,
    requires: {},
    connection: connection.name,
    commit: COMMIT,
  };
  const lease = await driver.acquireLease('test-controller', 30_000);
  if (!lease) throw new Error('test setup: the lease is taken');
  const head = (await driver.observe()).logHead;
  const plan = { head, id: `test-${head}` };
  const context = { lease, commit: COMMIT, plan };
  await driver.apply({ id: `connection:${connection.name}:${connection.fingerprint}@${plan.id}`, type: 'UpsertConnection', connection, reason: 'New' }, context);
  await driver.apply({ id: `publish:${integration.name}:${integration.artifactHash}@${plan.id}`, type: 'Publish', integration, reason: 'New', breaking: false }, context);
  await driver.releaseLease(lease);
  return integration;
}
