/**
 * The notifications of the controller's configuration: from its file or from the file
 * INTCTL_NOTIFICATIONS_FILE names (a mounted Secret), URLs and secrets only ever from files, and
 * every mistake reported at once, naming its field, without what a secret file holds.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../controller/config/controller-config.ts';
import { readControllerConfig } from '../../controller/config/read-config.ts';

let dir: string;
const SLACK = 'https://hooks.slack.com/services/T000/B000/not-a-real-token';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intctl-notify-config-'));
  await mkdir(join(dir, 'secrets'));
  await writeFile(join(dir, 'secrets', 'slack-url'), `${SLACK}\n`);
  await writeFile(join(dir, 'secrets', 'hook-url'), 'https://hooks.example.com/intctl');
  await writeFile(join(dir, 'secrets', 'hook-secret'), 'signing-key\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const GIT = 'git: { url: https://github.com/acme/integrations.git }\n';

async function read(yaml: string, env: Record<string, string> = {}) {
  await writeFile(join(dir, 'controller.yaml'), yaml);
  return readControllerConfig({ file: join(dir, 'controller.yaml'), env, cwd: dir });
}

async function problems(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await read(yaml, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
}

describe('notifications in the controller configuration', () => {
  it('reads providers with their URL and secret from files, relative to the file, with filters and limits', async () => {
    const config = await read(`${GIT}notifications:
  dedupeWindowMs: 0
  ratePerMinute: 5
  providers:
    - { name: ops-slack, type: slack, urlFile: secrets/slack-url, events: [Stalled, BreakingChangeRefused], environments: [prod] }
    - { name: audit, type: webhook, urlFile: secrets/hook-url, secretFile: secrets/hook-secret }
`);
    expect(config.notifications).toEqual({
      dedupeWindowMs: 0,
      ratePerMinute: 5,
      maxAttempts: 5,
      timeoutMs: 10_000,
      providers: [
        { name: 'ops-slack', kind: 'slack', url: SLACK, events: ['Stalled', 'BreakingChangeRefused'], environments: ['prod'] },
        { name: 'audit', kind: 'webhook', url: 'https://hooks.example.com/intctl', secret: 'signing-key', events: ['Stalled', 'AwaitingApproval', 'Drifted', 'AppliedToProtected', 'BreakingChangeRefused'] },
      ],
    });
  });

  it('reads them from the file INTCTL_NOTIFICATIONS_FILE names, paths relative to it (a Secret mounted as a directory)', async () => {
    await writeFile(join(dir, 'secrets', 'notifications.yaml'), 'providers:\n  - { name: ops-slack, type: slack, urlFile: slack-url }\n');
    const config = await read(GIT, { INTCTL_NOTIFICATIONS_FILE: join(dir, 'secrets', 'notifications.yaml') });
    expect(config.notifications.providers).toEqual([expect.objectContaining({ name: 'ops-slack', url: SLACK })]);
  });

  it('reports every mistake at once, each naming its field, never echoing a secret file', async () => {
    await writeFile(join(dir, 'secrets', 'not-a-url'), 'hunter2-secret-value');
    const found = await problems(`${GIT}notifications:
  ratePerMinute: 0
  retries: 3
  providers:
    - { name: ops-slack, type: slak, urlFile: secrets/slack-url, events: [Stalld] }
    - { name: ops-slack, type: slack, url: "${SLACK}" }
    - { name: audit, type: webhook, urlFile: secrets/hook-url }
    - { name: teams, type: teams, urlFile: secrets/missing }
    - { name: bad-url, type: teams, urlFile: secrets/not-a-url }
`);
    expect(found).toEqual([
      'notifications.retries: unknown field',
      'notifications.ratePerMinute: must be a positive whole number, not 0',
      'notifications.providers[0].type: must be one of slack, teams, webhook, not "slak" (did you mean slack?)',
      'notifications.providers[0].events: "Stalld" is not an event (did you mean Stalled?); one of Stalled, AwaitingApproval, Drifted, AppliedToProtected, BreakingChangeRefused',
      "notifications.providers[1].url: a provider's URL carries its token: give urlFile, a file that holds it",
      'notifications.providers[1].urlFile: required: a file that holds it (a mounted Secret)',
      'notifications.providers[2].secretFile: required for a webhook: the key its payloads are signed with (HMAC-SHA256)',
      `notifications.providers[3].urlFile: cannot read ${join(dir, 'secrets', 'missing')} (ENOENT)`,
      `notifications.providers[4].urlFile: ${join(dir, 'secrets', 'not-a-url')} does not hold an http(s) URL`,
    ]);
    expect(found.join('\n')).not.toContain('hunter2');
    expect(found.join('\n')).not.toContain('not-a-real-token');
  });

  it('refuses the section in the file and INTCTL_NOTIFICATIONS_FILE both', async () => {
    expect(await problems(`${GIT}notifications: { providers: [] }\n`, { INTCTL_NOTIFICATIONS_FILE: join(dir, 'n.yaml') })).toEqual([
      'notifications and INTCTL_NOTIFICATIONS_FILE: give the section in the file or a file that holds it, not both',
    ]);
  });
});
