import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/** A bench's Git repository: a bare remote, a work tree that pushes to it, and how to change it. */
export interface BenchRepository {
  /** The bare repository a GitSource fetches from. */
  remote: string;
  /** Writes a file of the work tree (its directories made). */
  write(path: string, text: string): void;
  /** Commits everything in the work tree and pushes it. */
  commitAndPush(message: string): void;
}

/**
 * The repository the controller benches run on, made under `root` and pushed: the specifications,
 * one embedded environment per name (plain secrets allowed, pruning on), the connection `backend`
 * in each, and `integrations` integrations selecting Get.
 */
export function createBenchRepository(root: string, integrations: number, environments: readonly string[]): BenchRepository {
  const remote = join(root, 'remote.git');
  const work = join(root, 'work');
  const git = (cwd: string, ...args: string[]): string => {
    const identity = ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false'];
    return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  };
  const repository: BenchRepository = {
    remote,
    write(path, text) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    },
    commitAndPush(message) {
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'main');
    },
  };
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  git(work, 'remote', 'add', 'origin', remote);
  for (const [path, text] of Object.entries(specificationFiles())) repository.write(path, text);
  for (const name of environments) {
    repository.write(`environments/${name}.yaml`, `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: ${name} }
spec: { driver: embedded, policy: { plainSecrets: true, prune: true } }
`);
  }
  repository.write('connections/backend.yaml', `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: backend }
spec:
  system: odata
  auth: { type: basic }
  environments: { ${environments.map((name) => `${name}: { endpoint: "https://backend.example.com/odata", username: bench, password: { plain: bench-only } }`).join(', ')} }
`);
  for (let i = 0; i < integrations; i++) repository.write(integrationFile(i), integrationManifest(i, '[Get]', environments));
  repository.commitAndPush(`${integrations} integrations`);
  return repository;
}
