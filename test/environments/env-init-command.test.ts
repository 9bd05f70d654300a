import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { runCli } from '../helpers/cli.ts';

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

const ENVIRONMENTS = `apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: dev }
spec: { driver: embedded, path: dev.sqlite, policy: { plainSecrets: true } }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: test }
spec: { driver: embedded }
---
apiVersion: intctl.dev/v1alpha1
kind: Environment
metadata: { name: prod }
spec: { driver: http, url: "https://envs.example.com" }
`;

async function repo(files: Record<string, string> = { 'environments.yaml': ENVIRONMENTS }): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'intctl-env-init-'));
  await mkdir(join(dir, 'repo'));
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, 'repo', path), content);
  return dir;
}

describe('intctl env init', () => {
  it("creates the environment's store at its path and prints where, and its public key", async () => {
    const root = await repo();
    const run = await runCli(['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'], root);
    const path = join(root, 'state', 'dev.sqlite');
    expect(run).toEqual({ code: 0, stdout: expect.any(String), stderr: '' });
    const driver = await openEmbeddedEnvironment(path, { name: 'dev', create: false });
    try {
      expect(run.stdout).toBe(`environment dev: created ${path}\npublic key: ${await driver.publicKey()}\n`);
    } finally {
      await driver.close();
    }
  });

  it('puts an environment without a path under <state-dir>/environments', async () => {
    const root = await repo();
    const run = await runCli(['env', 'init', 'test', '--repo', join(root, 'repo'), '--state-dir', join(root, 'state')]);
    expect(run.code).toBe(0);
    expect((await stat(join(root, 'state', 'environments', 'test.db'))).isFile()).toBe(true);
  });

  it('keeps the keys of an environment that exists', async () => {
    const root = await repo();
    const args = ['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'state'];
    const first = await runCli(args, root);
    const second = await runCli(args, root);
    const key = (out: string): string | undefined => /public key: (\S+)/.exec(out)?.[1];
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`environment dev: already exists at ${join(root, 'state', 'dev.sqlite')}; its keys are kept`);
    expect(key(second.stdout)).toBe(key(first.stdout));
  });

  const usage = (message: string): string => `intctl: ${message}\n(run intctl env init --help for usage)\n`;
  it.each([
    ['an environment the repository does not define', ['env', 'init', 'staging', '--repo', 'repo', '--state-dir', 'state'], 64, usage('environment staging is not defined in the repository (defined: dev, prod, test)')],
    ['an http environment without a token', ['env', 'init', 'prod', '--repo', 'repo', '--state-dir', 'state'], 1, 'intctl: environment prod: spec.token is required for driver http\n'],
    ['a repository directory that does not exist', ['env', 'init', 'dev', '--repo', 'nowhere', '--state-dir', 'state'], 64, usage('--repo nowhere is not a directory')],
    ['a state directory that is a file', ['env', 'init', 'dev', '--repo', 'repo', '--state-dir', 'repo/environments.yaml'], 64, usage('--state-dir repo/environments.yaml is a file, not a directory')],
  ])('refuses %s', async (_title, args, code, stderr) => {
    const root = await repo();
    expect(await runCli(args, root)).toEqual({ code, stdout: '', stderr });
  });

  it('mentions problems in the manifests when the environment is not found', async () => {
    const root = await repo({ 'environments.yaml': ENVIRONMENTS, 'broken.yaml': 'apiVersion: intctl.dev/v1alpha1\nkind: Environment\nmetadata: { name: staging }\nspec: { driver: ftp }\n' });
    const run = await runCli(['env', 'init', 'staging', '--repo', 'repo', '--state-dir', 'state'], root);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe('intctl: environment staging is not defined in the repository (defined: dev, prod, test); the manifests have 1 error (run intctl validate)\n(run intctl env init --help for usage)\n');
  });
});
