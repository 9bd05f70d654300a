import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The repository the controller benches run on: integrations in a file each, over two small OData
 * specifications (test/fixtures/specs), bound to one connection named `backend`.
 */
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'specs');

export const SPECS = [
  { path: 'specs/sales.edmx', fixture: 'sales-v2.edmx', version: 'v2', entity: 'A_SalesOrder' },
  { path: 'specs/crm.edmx', fixture: 'crm-v4.edmx', version: 'v4', entity: 'accounts' },
] as const;

/** The specifications' files by repository path. */
export function specificationFiles(): Record<string, string> {
  return Object.fromEntries(SPECS.map((spec) => [spec.path, readFileSync(join(FIXTURES, spec.fixture), 'utf8')]));
}

/** Integration number `index`, in the given environments, with its entity's operations (`[Get]`, `[Get, Search]`). */
export function integrationManifest(index: number, operations: string, environments: readonly string[]): string {
  const spec = SPECS[index % SPECS.length]!;
  return `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: i-${String(index).padStart(5, '0')}, labels: { team: team-${index % 50} } }
spec:
  system: odata
  source: { path: ${spec.path}, odataVersion: ${spec.version} }
  entities:
    - name: ${spec.entity}
      operations: ${operations}
  connection: backend
  environments: [${environments.join(', ')}]
`;
}

/** Where integration number `index` is kept: a folder per thousand. */
export const integrationFile = (index: number): string => `integrations/${String(Math.floor(index / 1000)).padStart(2, '0')}/i-${String(index).padStart(5, '0')}.yaml`;
