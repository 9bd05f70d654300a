import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readControllerConfig } from '../../controller/config/read-config.ts';
import { createLogger, requestLogger } from '../../controller/observability/logger.ts';
import { startController } from '../../controller/process/start-controller.ts';
import { captureLogs } from './support/capture-logs.ts';
import { createFixtureRepo } from './support/fixture-repo.ts';
import { localGitSource, recordingStatusWriter } from './support/local-git-source.ts';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-redaction-'));
});
afterEach(async () => rm(work, { recursive: true, force: true }));

describe('secrets in logs', () => {
  it('redacts secret-looking keys at any depth', () => {
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.destination });
    const planted = {
      password: 'planted-password-1',
      token: 'planted-token-2',
      secret: 'planted-secret-3',
      apiKey: 'planted-api-key-4',
      privateKey: 'planted-private-key-5',
      authorization: 'Bearer planted-bearer-6',
      clientSecret: 'planted-client-secret-7',
      sealed: 'planted-sealed-8',
    };
    logger.info(planted, 'top level');
    logger.info({ connection: { spec: { environments: { dev: { ...planted, endpoint: 'https://crm.example.com' } } } } }, 'nested four deep');
    logger.child({ req: { headers: { Authorization: 'Bearer planted-bearer-9', 'x-hub-signature-256': 'sha256=planted-10' } } }).info('headers');
    logger.info({ connections: [{ apiKey: { plain: 'planted-plain-11' } }] }, 'in a list');

    const text = logs.text();
    for (const value of [...Object.values(planted), 'planted-bearer-9', 'planted-10', 'planted-plain-11']) expect(text).not.toContain(value);
    const lines = logs.lines();
    expect(lines[0]).toMatchObject({ password: '[Redacted]', sealed: '[Redacted]', authorization: '[Redacted]' });
    expect(lines[1]).toMatchObject({ connection: { spec: { environments: { dev: { apiKey: '[Redacted]', endpoint: 'https://crm.example.com' } } } } });
    expect(lines[2]).toMatchObject({ req: { headers: { Authorization: '[Redacted]', 'x-hub-signature-256': '[Redacted]' } } });
    expect(lines[3]).toMatchObject({ connections: [{ apiKey: '[Redacted]' }] });
  });

  it('gives a request its logger with its bindings, and still redacts a binding under a secret key or inside an object', () => {
    const logs = captureLogs();
    const logger = createLogger({ level: 'info', destination: logs.destination }).child({ component: 'environment-server' });
    requestLogger(logger, { reqId: 'req-7' }, {}).info({ apiKey: 'planted-1' }, 'plain request');
    requestLogger(logger, { reqId: 'req-8', token: 'planted-2' }, {}).info('a secret key bound');
    requestLogger(logger, { reqId: 'req-9', req: { headers: { authorization: 'Bearer planted-3' } } }, {}).info('an object bound');
    requestLogger(logger, { reqId: 'req-10' }, { level: 'warn' }).info('below its own level');

    expect(logs.text()).not.toMatch(/planted/);
    expect(logs.lines()).toEqual([
      expect.objectContaining({ component: 'environment-server', reqId: 'req-7', apiKey: '[Redacted]', msg: 'plain request' }),
      expect.objectContaining({ reqId: 'req-8', token: '[Redacted]', msg: 'a secret key bound' }),
      expect.objectContaining({ reqId: 'req-9', req: { headers: { authorization: '[Redacted]' } }, msg: 'an object bound' }),
    ]);
  });

  it('never writes a secret of the configuration or of a connection, through a whole run of the controller', async () => {
    const secrets = {
      apiKey: `planted-connection-key-${randomUUID()}`,
      webhook: `planted-webhook-secret-${randomUUID()}`,
      generic: `planted-generic-token-${randomUUID()}`,
      gitToken: `planted-git-token-${randomUUID()}`,
    };
    const repo = join(work, 'repo');
    await createFixtureRepo(repo, { devApiKey: secrets.apiKey });
    await writeFile(join(work, 'git-token'), `${secrets.gitToken}\n`);
    await writeFile(join(work, 'controller.yaml'), 'git: { url: repo, tokenFile: git-token }\nlisten: { host: 127.0.0.1, port: 0 }\npoll: { schedule: off }\nstateDir: state\nlogLevel: trace\n');
    const config = await readControllerConfig({
      file: join(work, 'controller.yaml'),
      env: { INTCTL_WEBHOOK_SECRET: secrets.webhook, INTCTL_WEBHOOK_TOKEN: secrets.generic },
      cwd: work,
    });
    expect(config.git.auth?.password).toBe(secrets.gitToken);

    const logs = captureLogs();
    const running = await startController(config, {
      createGitSource: (options) => localGitSource(options.url, options.branch),
      createStatusWriter: () => recordingStatusWriter(),
      logDestination: logs.destination,
    });
    try {
      await running.controller.queue.idle();
      const body = JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) });
      const signed = await fetch(`${running.url}/webhooks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(secrets.webhook, body) },
        body,
      });
      expect(signed.status).toBe(202);
      const generic = await fetch(`${running.url}/webhooks/generic`, { method: 'POST', headers: { authorization: `Bearer ${secrets.generic}` } });
      expect(generic.status).toBe(202);
      const wrong = await fetch(`${running.url}/webhooks/generic`, { method: 'POST', headers: { authorization: `Bearer ${secrets.generic}-wrong` } });
      expect(wrong.status).toBe(401);
      await running.controller.queue.idle();
    } finally {
      await running.stop();
    }

    const lines = logs.lines();
    // The run was logged, in detail: what the search below looks through is not empty.
    expect(lines.find((l) => l.msg === 'starting')).toMatchObject({ config: { git: { auth: 'token' }, webhooks: { github: true, generic: true } } });
    expect(lines.filter((l) => l.msg === 'reconcile finished' && l.outcome === 'Applied').length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.msg === 'action applied' && l.action === 'UpsertConnection' && l.target === 'crm-api')).toBe(true);
    expect(lines.some((l) => l.level === 'trace' || l.level === 'debug')).toBe(true);
    const text = logs.text();
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
  });
});
