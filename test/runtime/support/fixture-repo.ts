/**
 * The controller tests' repository: the crm fixture (test/support/crm.ts) in dev and test, as
 * files or committed in a Git repository. Built with the fixture kit of test/support.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import { copyCrmSpec, crmConnection, crmIntegration } from '../../support/crm.ts';
import { commitAll as commitAllNow, createGitRemote, initRepo, writeFiles as writeFilesNow } from '../../support/git-repo.ts';
import { environment, PINS, toYaml } from '../../support/manifests.ts';

export { crmConnection } from '../../support/crm.ts';

export interface FixtureOptions {
  /** dev's API key, a plain secret (dev allows them). */
  devApiKey?: string;
  /** Extra files, by path. */
  files?: Record<string, string>;
}

/** A small repository of manifests: the crm integration, its connection, and dev -> test. */
export function fixtureFiles(options: FixtureOptions = {}): Record<string, string> {
  return {
    'integrations/crm.yaml': toYaml(crmIntegration({ environments: ['dev', 'test'] })),
    'connections/crm.yaml': toYaml(crmConnection({ dev: { plain: options.devApiKey ?? 'dev-only-not-a-real-key' }, test: { env: 'CRM_API_KEY' } })),
    'environments.yaml': toYaml(
      environment({
        name: 'dev',
        path: 'dev.sqlite',
        policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: true },
        dependencies: PINS,
      }),
      environment({
        name: 'test',
        path: 'test.sqlite',
        promotesFrom: 'dev',
        policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: false, plainSecrets: false },
        dependencies: { ...PINS, 'integration-manager': '3.1.2', 'sharepoint-utils': '1.2.1' },
      }),
    ),
    ...options.files,
  };
}

/**
 * A bare remote (`remote.git`) on branch main and a clone of it (`clone`) in `work`, with an
 * author set and main checked out, as a team's repository and one author's work tree are.
 */
export async function createRemoteAndClone(work: string): Promise<{ remote: string; clone: string; git: SimpleGit }> {
  const { remote, work: clone } = createGitRemote({ root: work, clone: 'clone' });
  return { remote, clone, git: simpleGit({ baseDir: clone }) };
}

/** Writes files into a directory, making folders as needed. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  writeFilesNow(dir, files);
}

/** A Git repository on branch main holding the fixture, committed once; returns the commit. */
export async function createFixtureRepo(dir: string, options: FixtureOptions = {}): Promise<string> {
  initRepo(dir);
  copyCrmSpec(dir);
  writeFilesNow(dir, fixtureFiles(options));
  return commitAllNow(dir, 'manifests');
}

/** Commits everything in the work tree; returns the commit. */
export async function commitAll(dir: string, message: string): Promise<string> {
  return commitAllNow(dir, message);
}
