import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

/**
 * Writes a repository of manifests: one embedded environment `dev` (prune and self-heal on,
 * automatic apply), the `shop` connection and `extraConnections` more, and `integrations`
 * integrations of the shop specification, each with its own selection.
 */
export async function writeRepository(root: string, shape: RepositoryShape): Promise<void> {
  await mkdir(join(root, 'specs'), { recursive: true });
  await mkdir(join(root, 'integrations'), { recursive: true });
  await mkdir(join(root, 'connections'), { recursive: true });
  await copyFile(FIXTURE_SPEC, join(root, 'specs', 'shop.yaml'));
  await writeFile(
    join(root, 'environments.yaml'),
    `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec:
  driver: embedded
  path: dev.sqlite
  policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true }
`,
  );
  const names = namesOf(shape);
  const connection = (n: string, host: string): string => `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: ${n} }
spec:
  system: openapi
  auth: { type: none }
  environments:
    dev: { endpoint: "https://${host}.example.com/v1" }
`;
  // A hundred documents a file keeps every file well under the loader's size limit.
  for (let start = 0; start < names.connections.length; start += 100) {
    const docs = names.connections.slice(start, start + 100).map((n) => connection(n, n));
    await writeFile(join(root, 'connections', `connections-${start / 100}.yaml`), docs.join('---\n'));
  }
  const selections = ['[Get, Search, Count]', '[Get, Search]', '[Get, Create, Update]', '[Get]'];
  for (const [n, integration] of names.integrations.entries()) {
    await writeFile(
      join(root, 'integrations', `${integration}.yaml`),
      `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: ${integration} }
spec:
  system: openapi
  source: { path: specs/shop.yaml }
  entities:
    - { name: products, operations: ${selections[n % selections.length]} }
  connection: shop
  environments: [dev]
`,
    );
  }
}
