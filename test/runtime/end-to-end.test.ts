import { createRequire } from 'node:module';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { sign } from '@octokit/webhooks-methods';
import { simpleGit } from 'simple-git';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readControllerConfig } from '../../controller/config/read-config.ts';
import { openEmbeddedEnvironment } from '../../controller/environments/embedded/open-embedded-environment.ts';
import { startController, type RunningController } from '../../controller/process/start-controller.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { createStatusWriter } from '../../controller/reporting/status-branch/create-status-writer.ts';
import type { EnvironmentStatusDocument } from '../../controller/core/environment-status.ts';
import { captureLogs } from './support/capture-logs.ts';
import { createRemoteAndClone, fixtureFiles, writeFiles } from './support/fixture-repo.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const SECRET = 'end-to-end webhook secret';
const webhooks = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

let work: string;
let remote: string;
let clone: string;
let running: RunningController | undefined;

/** Commits everything in the clone and pushes main to the bare remote; returns the commit. */
async function push(message: string): Promise<string> {
  const git = simpleGit({ baseDir: clone });
  await git.add(['-A']);
  await git.commit(message);
  await git.push('origin', 'main');
  return (await git.revparse(['HEAD'])).trim();
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-e2e-'));
  ({ remote, clone } = await createRemoteAndClone(work));
  await mkdir(join(clone, 'specs'));
  await copyFile(join(EXAMPLES, 'specs', 'crm-openapi.yaml'), join(clone, 'specs', 'crm-openapi.yaml'));
  await writeFiles(clone, fixtureFiles());
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await rm(work, { recursive: true, force: true });
});

describe('end to end: a push reaches the embedded environment, and the status branch says so', () => {
  it('applies a new integration pushed to the tracked branch, announced by a signed GitHub webhook', async () => {
    const first = await push('crm');
    await writeFile(join(work, 'controller.yaml'), `git: { url: ${remote}, branch: main }\nlisten: { host: 127.0.0.1, port: 0 }\npoll: { schedule: off }\nstateDir: state\n`);
    const config = await readControllerConfig({ file: join(work, 'controller.yaml'), env: { PATH: process.env.PATH, HOME: process.env.HOME, INTCTL_WEBHOOK_SECRET: SECRET }, cwd: work });
    const logs = captureLogs();
    running = await startController(config, { createGitSource, createStatusWriter, logDestination: logs.destination });
    await running.controller.queue.idle();
    expect(running.controller.statuses().map((s) => [s.environment, s.observedCommit, s.outcome])).toEqual([
      ['dev', first, 'Applied'],
      ['test', first, 'Applied'],
    ]);

    await writeFiles(clone, {
      'integrations/crm-contacts.yaml': `apiVersion: intctl.dev/v1alpha1
kind: Integration
metadata: { name: crm-contacts }
spec:
  system: openapi
  source: { path: specs/crm-openapi.yaml }
  entities:
    - name: contacts
      operations: [Get, Search]
  connection: crm-api
  environments: [dev]
`,
    });
    const second = await push('crm-contacts, in dev');

    // GitHub's own example of a push, to our branch and commit, signed as GitHub signs it.
    const example = webhooks.find((w) => w.name === 'push')!.examples.find((e) => (e as { ref: string }).ref === 'refs/heads/master') as Record<string, unknown>;
    const body = JSON.stringify({ ...example, ref: 'refs/heads/main', before: first, after: second });
    const response = await fetch(`${running.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(SECRET, body) },
      body,
    });
    expect([response.status, await response.json()]).toEqual([202, expect.objectContaining({ result: 'accepted', enqueued: ['dev', 'test'] })]);
    await running.controller.queue.idle();

    const dev = await openEmbeddedEnvironment(join(work, 'state', 'dev.sqlite'), { name: 'dev', create: false });
    try {
      const published = (await dev.observe()).integrations.map((i) => [i.name, i.commit]);
      expect(published.sort()).toEqual([
        ['crm', first],
        ['crm-contacts', second],
      ]);
    } finally {
      await dev.close();
    }

    const statusBranch = simpleGit({ baseDir: remote });
    const messages = (await statusBranch.raw(['log', '--format=%s', 'intctl/status'])).trim().split('\n');
    expect(messages).toContain(`intctl: dev Ready (ReconciliationSucceeded) at ${second.slice(0, 7)}`);
    const document = parse(await statusBranch.raw(['show', 'intctl/status:status/dev.yaml'])) as EnvironmentStatusDocument;
    expect(document).toMatchObject({
      environment: 'dev',
      observedCommit: second,
      conditions: [expect.objectContaining({ type: 'Ready', status: 'True', observedCommit: second })],
      lastApplied: { commit: second, actions: ['Publish crm-contacts (New)'] },
    });
    expect(document.published.map((p) => [p.integration, p.commit])).toEqual([
      ['crm', first],
      ['crm-contacts', second],
    ]);
    expect(messages).toContain(`intctl: test Ready (ReconciliationSucceeded) at ${second.slice(0, 7)}`);
  });
});
