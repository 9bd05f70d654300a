/**
 * The environment-server tests' manifests, through the fixture kit (test/support/manifests.ts):
 * the same exports, plain objects in and YAML out.
 */
import type { Connection, ConnectionSpec, Environment, EnvironmentSpec, Integration, IntegrationSpec } from '../../../controller/generated/manifests.ts';
import { writeFiles } from '../../support/git-repo.ts';
import { connection, environment, integration, toYaml } from '../../support/manifests.ts';

/** Writes a repository of manifests: each path relative to `root`, YAML documents or raw text. */
export async function writeRepo(root: string, files: Record<string, unknown[] | string>): Promise<void> {
  writeFiles(root, Object.fromEntries(Object.entries(files).map(([path, content]) => [path, typeof content === 'string' ? content : toYaml(...content)])));
}

export const PINS = {
  'integration-utils': '2.4.0',
  'common-shared-services': '1.8.2',
  'secret-manager': '1.3.0',
  'integration-manager': '3.1.0',
  'sharepoint-utils': '1.2.1',
};

export function environmentManifest(name: string, spec: Record<string, unknown>): Environment {
  return environment({ name, policy: { autoApply: true, prune: true, selfHeal: true }, dependencies: PINS, ...(spec as Partial<EnvironmentSpec>) });
}

export function connectionManifest(name: string, spec: Record<string, unknown>): Connection {
  return connection({ name, ...(spec as Partial<ConnectionSpec> & Pick<ConnectionSpec, 'environments'>) });
}

export function integrationManifest(name: string, spec: Record<string, unknown>): Integration {
  return integration({ name, ...(spec as Partial<IntegrationSpec>) });
}
