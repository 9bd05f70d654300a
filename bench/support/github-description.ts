import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Integration } from '../../controller/generated/manifests.ts';

const require = createRequire(import.meta.url);

/** GitHub's REST API description as @octokit/openapi publishes it (13 MB, over 1,100 operations). */
export const GITHUB_SPEC_PATH = 'specs/api.github.com.json';
export const githubSpecBytes = readFileSync(join(require.resolve('@octokit/openapi/package.json'), '..', 'generated', 'api.github.com.json'));

/** An integration of every entity and function of it. */
export const GITHUB_INTEGRATION: Integration = {
  apiVersion: 'intctl.dev/v1alpha1',
  kind: 'Integration',
  metadata: { name: 'github' },
  spec: { system: 'openapi', source: { path: GITHUB_SPEC_PATH }, connection: 'github', environments: ['dev'] },
};
