import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitSource } from '../../controller/source/create-git-source.ts';
import { GitFetchFailedError } from '../../controller/source/git-source.ts';
import { closedPort, ENVIRONMENT, makeRepo, startGitHttpServer, type GitHttpServer, type Repo } from './support.ts';

const USER = 'intctl-bot';
const PASSWORD = 'hunter2-s3cr3t-Tok3n+/=';
const token = (password: string): string => Buffer.from(`${USER}:${password}`).toString('base64');

let repo: Repo;
let server: GitHttpServer;

beforeEach(async () => {
  repo = makeRepo('intctl-credentials-');
  repo.write('environments/dev.yaml', ENVIRONMENT);
  repo.commit('first');
  server = await startGitHttpServer(repo.root, { username: USER, password: PASSWORD });
});

afterEach(async () => {
  await server.close();
  repo.cleanup();
});

/** Every file under a directory, as text. */
function everything(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? everything(path) : readFileSync(path, 'latin1');
  }
  return out;
}

describe('credentials of a Git source', () => {
  it('fetches over http with basic auth sent in a header, and leaves the credentials nowhere in the mirror', async () => {
    const dir = join(repo.root, 'mirror');
    const source = createGitSource({ url: server.url('remote.git'), branch: 'main', dir, auth: { username: USER, password: PASSWORD } });
    const head = await source.fetch();
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect((await source.load(head)).set.environments.map((e) => e.manifest.metadata.name)).toEqual(['dev']);
    await source.close();

    expect(server.requests.length).toBeGreaterThan(0);
    for (const request of server.requests) {
      expect(request.authorization).toBe(`Basic ${token(PASSWORD)}`);
      expect(request.url).not.toContain(PASSWORD);
    }
    const mirror = everything(dir);
    expect(mirror).toContain('remote.git');
    expect(mirror).not.toContain(PASSWORD);
    expect(mirror).not.toContain(token(PASSWORD));
  });

  it('turns a refused password into GitFetchFailedError whose message holds neither the password nor the header', async () => {
    const wrong = 'wrong-Pa55word-42';
    const source = createGitSource({ url: server.url('remote.git'), branch: 'main', dir: join(repo.root, 'mirror'), auth: { username: USER, password: wrong } });
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitFetchFailedError);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot fetch branch main of http:\/\/127\.0\.0\.1:\d+\/remote\.git: authentication failed: /);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(token(wrong));
    // The wrong credentials were offered, so the test is about what the message says, not about sending nothing.
    expect(server.requests.map((r) => r.authorization)).toContain(`Basic ${token(wrong)}`);
  });

  it('keeps credentials written into the URL out of the message too, and never prompts', async () => {
    const port = await closedPort();
    const inUrl = 'url-embedded-secret-77';
    const source = createGitSource({
      url: `https://someone:${inUrl}@127.0.0.1:${port}/org/repo.git`,
      branch: 'main',
      dir: join(repo.root, 'mirror'),
      auth: { password: PASSWORD },
    });
    const error = await source.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitFetchFailedError);
    const message = (error as Error).message;
    expect(message).toContain(`https://***@127.0.0.1:${port}/org/repo.git`);
    for (const secret of [inUrl, PASSWORD, Buffer.from(`x-access-token:${PASSWORD}`).toString('base64')]) expect(message).not.toContain(secret);
  });
});
