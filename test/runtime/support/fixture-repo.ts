import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

export interface FixtureOptions {
  /** dev's API key, a plain secret (dev allows them). */
  devApiKey?: string;
  /** Extra files, by path. */
  files?: Record<string, string>;
}

/** A small repository of manifests: the crm integration, its connection, and dev -> test. */
export function fixtureFiles(options: FixtureOptions = {}): Record<string, string> {
  return {
    'integrations/crm.yaml': `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: crm }
spec:
  system: openapi
  source: { path: specs/crm-openapi.yaml }
  entities:
    - name: customers
      operations: [Get, Search, Count]
  connection: crm-api
  environments: [dev, test]
`,
    'connections/crm.yaml': crmConnection({
      dev: `{ plain: ${JSON.stringify(options.devApiKey ?? 'dev-only-not-a-real-key')} }`,
      test: '{ env: CRM_API_KEY }',
    }),
    'environments.yaml': `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec:
  driver: embedded
  path: dev.sqlite
  policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: true }
  dependencies: { integration-utils: 3.0.0, common-shared-services: 1.9.0, secret-manager: 1.4.0, integration-manager: 3.2.0, sharepoint-utils: 1.3.0 }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: test }
spec:
  driver: embedded
  path: test.sqlite
  promotesFrom: dev
  policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: false, plainSecrets: false }
  dependencies: { integration-utils: 3.0.0, common-shared-services: 1.9.0, secret-manager: 1.4.0, integration-manager: 3.1.2, sharepoint-utils: 1.2.1 }
`,
    ...options.files,
  };
}

/**
 * The `crm-api` connection (API key in a header) defined for each environment named, with the
 * API key given as YAML (`{ env: CRM_API_KEY }`, `{ plain: "..." }`) and an endpoint (the sandbox
 * unless one is given).
 */
export function crmConnection(apiKeys: Record<string, string>, endpoints: Record<string, string> = {}): string {
  const environments = Object.entries(apiKeys).map(
    ([name, apiKey]) => `    ${name}:\n      endpoint: ${endpoints[name] ?? 'https://sandbox.crm.example.com/v2'}\n      apiKey: ${apiKey}\n`,
  );
  return `apiVersion: intctl.dev/v1alpha1
kind: Connection
metadata: { name: crm-api }
spec:
  system: openapi
  auth: { type: apiKey, apiKeyIn: header, apiKeyName: X-API-Key }
  environments:
${environments.join('')}`;
}

/**
 * A bare remote (`remote.git`) on branch main and a clone of it (`clone`) in `work`, with an
 * author set and main checked out, as a team's repository and one author's work tree are.
 */
export async function createRemoteAndClone(work: string): Promise<{ remote: string; clone: string; git: SimpleGit }> {
  const remote = join(work, 'remote.git');
  const clone = join(work, 'clone');
  await simpleGit({ baseDir: work }).init(true, [remote, '--initial-branch=main']);
  await simpleGit({ baseDir: work }).clone(remote, clone);
  const git = simpleGit({ baseDir: clone });
  await git.addConfig('user.name', 'Author').addConfig('user.email', 'author@example.com').addConfig('commit.gpgsign', 'false');
  await git.checkout(['-B', 'main']);
  return { remote, clone, git };
}

/** Writes files into a directory, making folders as needed. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** A Git repository on branch main holding the fixture, committed once; returns the commit. */
export async function createFixtureRepo(dir: string, options: FixtureOptions = {}): Promise<string> {
  await mkdir(join(dir, 'specs'), { recursive: true });
  await copyFile(join(EXAMPLES, 'specs', 'crm-openapi.yaml'), join(dir, 'specs', 'crm-openapi.yaml'));
  await writeFiles(dir, fixtureFiles(options));
  const git = simpleGit({ baseDir: dir });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'Test Author').addConfig('user.email', 'author@example.com').addConfig('commit.gpgsign', 'false');
  return commitAll(dir, 'manifests');
}

/** Commits everything in the work tree; returns the commit. */
export async function commitAll(dir: string, message: string): Promise<string> {
  const git = simpleGit({ baseDir: dir });
  await git.add(['-A']);
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}
