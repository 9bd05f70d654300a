import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

/** Writes a repository of manifests: each path relative to `root`, YAML documents or raw text. */
export async function writeRepo(root: string, files: Record<string, unknown[] | string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : content.map((doc) => stringify(doc)).join('---\n'));
  }
}

export const PINS = {
  'integration-utils': '2.4.0',
  'common-shared-services': '1.8.2',
  'secret-manager': '1.3.0',
  'integration-manager': '3.1.0',
  'sharepoint-utils': '1.2.1',
};

export function environmentManifest(name: string, spec: Record<string, unknown>): unknown {
  return {
    apiVersion: 'intctl.dev/v1alpha1',
    kind: 'Environment',
    metadata: { name },
    spec: { policy: { autoApply: true, prune: true, selfHeal: true }, dependencies: PINS, ...spec },
  };
}

export function connectionManifest(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'intctl.dev/v1alpha1', kind: 'Connection', metadata: { name }, spec };
}

export function integrationManifest(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: 'intctl.dev/v1alpha1', kind: 'Integration', metadata: { name }, spec };
}
