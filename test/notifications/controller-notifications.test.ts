/**
 * A real controller, configured from a file whose providers' URLs are files, tells a Teams
 * stand-in that an environment awaits approval, while the Slack stand-in hangs on its first
 * request and never answers: the reconciles end all the same. No clock is read: that the
 * reconciles have ended while the Slack request is still held proves the order.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readControllerConfig } from '../../controller/config/read-config.ts';
import { startController, type RunningController } from '../../controller/process/start-controller.ts';
import { createStatusWriter } from '../../controller/reporting/status-branch/create-status-writer.ts';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { copyCrmSpec } from '../support/crm.ts';
import { environment, PINS, toYaml } from '../support/manifests.ts';
import { captureLogs } from '../runtime/support/capture-logs.ts';
import { createRemoteAndClone, fixtureFiles, writeFiles } from '../runtime/support/fixture-repo.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let work: string;
let running: RunningController | undefined;
let receivers: Receiver[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-notify-'));
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  for (const receiver of receivers) await receiver.close();
  receivers = [];
  await rm(work, { recursive: true, force: true });
});

describe('notifications from a running controller', () => {
  it('tells Teams that test awaits approval, and ends its reconciles while Slack hangs', async () => {
    const { remote, clone } = await createRemoteAndClone(work);
    copyCrmSpec(clone);
    const environments = toYaml(
      environment({ name: 'dev', path: 'dev.sqlite', policy: { autoApply: true, requiredApprovals: 0, allowBreaking: true, prune: true, selfHeal: true, plainSecrets: true }, dependencies: PINS }),
      environment({ name: 'test', path: 'test.sqlite', promotesFrom: 'dev', policy: { autoApply: true, requiredApprovals: 1, allowBreaking: true, prune: true, selfHeal: false, plainSecrets: true }, dependencies: PINS }),
    );
    await writeFiles(clone, fixtureFiles({ files: { 'environments.yaml': environments } }));
    const git = simpleGit({ baseDir: clone });
    await git.add(['-A']);
    await git.commit('manifests');
    await git.push('origin', 'main');
    const commit = (await git.revparse(['HEAD'])).trim();

    const slack = await startReceiver({ hang: true, path: '/services/T000/B000/XXXX' });
    const teams = await startReceiver({ path: '/workflows/abc/triggers/manual/paths/invoke' });
    receivers.push(slack, teams);
    const secrets = join(work, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'slack-url'), `${slack.url}\n`);
    await writeFile(join(secrets, 'teams-url'), `${teams.url}\n`);
    await writeFile(
      join(work, 'controller.yaml'),
      [
        `git: { url: ${remote}, branch: main }`,
        'listen: { host: 127.0.0.1, port: 0 }',
        'poll: { schedule: off }',
        'stateDir: state',
        'notifications:',
        '  providers:',
        '    - { name: ops-slack, type: slack, urlFile: secrets/slack-url }',
        '    - { name: ops-teams, type: teams, urlFile: secrets/teams-url, events: [AwaitingApproval, Stalled], environments: [test] }',
        '',
      ].join('\n'),
    );
    const config = await readControllerConfig({ file: join(work, 'controller.yaml'), env: { PATH: process.env.PATH, HOME: process.env.HOME }, cwd: work });
    expect(config.notifications.providers.map((p) => [p.name, p.kind, p.url])).toEqual([
      ['ops-slack', 'slack', slack.url],
      ['ops-teams', 'teams', teams.url],
    ]);
    const logs = captureLogs();
    running = await startController(config, { createGitSource, createStatusWriter, logDestination: logs.destination });
    const started = logs.lines().find((l) => l.msg === 'starting')!;
    expect(JSON.stringify(started)).not.toContain(slack.url);
    expect((started.config as { notifications: unknown }).notifications).toEqual([
      { name: 'ops-slack', type: 'slack', events: ['Stalled', 'AwaitingApproval', 'Drifted', 'AppliedToProtected', 'BreakingChangeRefused'] },
      { name: 'ops-teams', type: 'teams', events: ['AwaitingApproval', 'Stalled'], environments: ['test'] },
    ]);

    const [delivered] = await teams.received(1);
    const [held] = await slack.received(1);
    await running.controller.queue.idle();
    // Every reconcile has ended, and the Slack request is still unanswered.
    expect(running.controller.statuses().map((s) => [s.environment, s.outcome])).toEqual([
      ['dev', 'Applied'],
      ['test', 'Waiting'],
    ]);
    expect(slack.held()).toBe(1);
    expect(JSON.parse(held!.body).text).toContain('intctl: test awaiting approval');
    const card = JSON.parse(delivered!.body) as { attachments: Array<{ content: { body: Array<{ type: string; facts?: Array<{ title: string; value: string }> }> } }> };
    expect(card.attachments[0]!.content.body.find((e) => e.type === 'FactSet')!.facts).toEqual(
      expect.arrayContaining([
        { title: 'Environment', value: 'test' },
        { title: 'Event', value: 'AwaitingApproval' },
        { title: 'Commit', value: commit.slice(0, 12) },
      ]),
    );
    expect(teams.requests).toHaveLength(1);
    // Once Slack answers, the held notification is delivered, and shutdown has nothing left to wait for.
    slack.release();
    await running.stop();
    expect(logs.lines().filter((l) => l.msg === 'notification delivered').map((l) => l.provider).sort()).toEqual(['ops-slack', 'ops-teams']);
    expect(logs.text()).not.toContain('/services/T000');
    expect(logs.text()).not.toContain('/workflows/abc');
  });
});
