/**
 * A pull request that gives a connection a value sealed for another environment: the check of the
 * environment that cannot open it fails before anything is merged, naming the file, line and
 * field, and never the secret; the environments that do not use it are not failed for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../controller/secrets/generate-key-pair.ts';
import { sealSecret } from '../../controller/secrets/seal-secret.ts';
import { crmConnection } from '../support/crm.ts';
import { toYaml } from '../support/manifests.ts';
import { until } from '../support/time.ts';
import { createWorld, type World } from './support/pull-request-world.ts';

const SECRET = 'prod-crm-api-key-7c1e0f93';

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => world?.close());

const completed = (sha: string, name: string) => () => {
  const run = world.checkRun(sha, name);
  return run?.status === 'completed' ? run : undefined;
};

describe('the pull-request check of a sealed value', () => {
  it('fails the check of the environment it does not open in, at the file and field, without the secret', async () => {
    const sealedElsewhere = sealSecret(generateKeyPair().publicKey, SECRET);
    const connection = toYaml(crmConnection({ dev: { env: 'CRM_DEV_API_KEY' }, prod: { sealed: sealedElsewhere } }, { prod: 'https://crm.example.com/v2' }));
    const line = connection.split('\n').findIndex((text) => text.includes('sealed:')) + 1;
    expect(line).toBeGreaterThan(0);
    const head = await world.openPullRequest(1, { 'connections/crm.yaml': connection });

    const prod = await until('intctl/prod on the head', completed(head, 'intctl/prod'));
    expect(prod.conclusion).toBe('failure');
    expect(prod.annotations).toEqual([
      expect.objectContaining({ path: 'connections/crm.yaml', start_line: line, end_line: line, annotation_level: 'failure', title: 'spec.environments.prod.apiKey.sealed' }),
    ]);
    expect(prod.annotations[0]!.message).toContain("does not open with environment prod's key: it was sealed for another environment, or altered");
    expect(prod.output.summary).toMatch(new RegExp(`connections/crm\\.yaml:${line}:\\d+ \`SecretUnsealFailed\` spec\\.environments\\.prod\\.apiKey\\.sealed: does not open with environment prod's key`));

    // dev's definition did not change: its check does not fail for prod's value.
    const dev = await until('intctl/dev on the head', completed(head, 'intctl/dev'));
    expect(dev.conclusion).toBe('success');

    // The secret is nowhere: not in a check, an annotation, a log line; only its sealed form is in Git.
    const written = JSON.stringify([world.gh.state.checkRuns, world.gh.state.statuses, world.logs.lines()]);
    expect(written).not.toContain(SECRET);
    expect(world.gh.invalidRequests).toEqual([]);
    // Nothing was applied to prod: it still has what main gave it.
    expect(world.running.controller.statuses().find((s) => s.environment === 'prod')?.observedCommit).toBe(world.main);
  });
});
