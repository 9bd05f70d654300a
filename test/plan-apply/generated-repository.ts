import { copyFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Operation } from '../../controller/generated/manifests.ts';
import { writeFiles } from '../support/git-repo.ts';
import { connection, environment, integration, toYaml } from '../support/manifests.ts';

const FIXTURE_SPEC = join(import.meta.dirname, '..', 'fixtures', 'specs', 'shop-openapi.yaml');

export interface RepositoryShape {
  /** Integrations, all generated from one small OpenAPI specification. */
  integrations: number;
  /** Connections besides the one the integrations bind to: cheap actions that lengthen an apply. */
  extraConnections: number;
}

const name = (prefix: string, n: number): string => `${prefix}-${String(n).padStart(5, '0')}`;

/** The names of the integrations and connections a repository of this shape defines. */
export function namesOf(shape: RepositoryShape): { integrations: string[]; connections: string[] } {
  return {
    integrations: Array.from({ length: shape.integrations }, (_, n) => name('shop', n)),
    connections: ['shop', ...Array.from({ length: shape.extraConnections }, (_, n) => name('partner', n))],
  };
}

const SELECTIONS: Operation[][] = [
  ['Get', 'Search', 'Count'],
  ['Get', 'Search'],
  ['Get', 'Create', 'Update'],
  ['Get'],
];

/**
 * Writes a repository of manifests: one embedded environment `dev` (prune and self-heal on,
 * automatic apply), the `shop` connection and `extraConnections` more, and `integrations`
 * integrations of the shop specification, each with its own selection.
 */
export async function writeRepository(root: string, shape: RepositoryShape): Promise<void> {
  await mkdir(join(root, 'specs'), { recursive: true });
  copyFileSync(FIXTURE_SPEC, join(root, 'specs', 'shop.yaml'));
  const files: Record<string, string> = {
    'environments.yaml': toYaml(
      environment({ name: 'dev', path: 'dev.sqlite', policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true } }),
    ),
  };
  const names = namesOf(shape);
  // A hundred documents a file keeps every file well under the loader's size limit.
  for (let start = 0; start < names.connections.length; start += 100) {
    const documents = names.connections.slice(start, start + 100).map((n) => connection({ name: n, environments: { dev: { endpoint: `https://${n}.example.com/v1` } } }));
    files[`connections/connections-${start / 100}.yaml`] = toYaml(...documents);
  }
  for (const [n, shop] of names.integrations.entries()) {
    files[`integrations/${shop}.yaml`] = toYaml(
      integration({ name: shop, source: { path: 'specs/shop.yaml' }, entities: [{ name: 'products', operations: SELECTIONS[n % SELECTIONS.length]! }], connection: 'shop', environments: ['dev'] }),
    );
  }
  writeFiles(root, files);
}
