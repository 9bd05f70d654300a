import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Operation } from '../../controller/generated/manifests.ts';
import { createGitRemote, type GitRemote } from '../support/git-repo.ts';
import { connection as connectionManifest, environment, integration, toYaml } from '../support/manifests.ts';

export { git } from '../support/git-repo.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SPECS = join(ROOT, 'test', 'fixtures', 'specs');

/** A bare remote (`remote.git`, default branch main) and a clone of it (`work`) to commit and push from, in one temporary directory. */
export type Repo = GitRemote;

/** A new remote and clone; with `from`, copies of that one as it is now (see createGitRemote). */
export function makeRepo(prefix = 'intctl-source-', from?: Repo): Repo {
  return createGitRemote({ prefix, ...(from ? { from } : {}) });
}

/**
 * Commits on main of the bare repository `remote` with one `git fast-import`, on top of its tip
 * unless `root` (main has no commit yet): each path set to its text, or removed where the text is
 * undefined. No work tree, index, loose objects or push, so a commit of thousands of files costs
 * one process: for tests that make many commits, or large ones, and test none of that.
 */
export function commitToRemote(remote: string, changes: ReadonlyMap<string, string | undefined>, message: string, options: { root?: boolean } = {}): void {
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = ['commit refs/heads/main\n', 'committer Author <author@example.com> now\n', data(message), options.root ? '' : 'from refs/heads/main^0\n'];
  for (const [path, text] of changes) stream.push(text === undefined ? `D ${path}\n` : `M 100644 inline ${path}\n${data(text)}`);
  execFileSync('git', ['fast-import', '--quiet', '--date-format=now'], {
    cwd: remote,
    input: stream.join(''),
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

export function spec(name: string): string {
  return readFileSync(join(SPECS, name), 'utf8');
}

export const ENVIRONMENT = toYaml(environment({ name: 'dev', policy: { plainSecrets: true, prune: true } }));

/** The connection the integrations bind to, with a plain password (dev allows plain secrets). */
export function connection(password = 'dev-only-password'): string {
  return toYaml(
    connectionManifest({
      name: 'sap',
      system: 'odata',
      auth: { type: 'basic' },
      environments: { dev: { endpoint: 'https://sap.example.com', username: 'u', password: { plain: password } } },
    }),
  );
}

/** An OData integration over specs/sales.edmx (test/fixtures/specs/sales-v2.edmx). */
export function salesIntegration(name: string, operations: Operation[] = ['Get', 'Search']): string {
  return toYaml(
    integration({
      name,
      system: 'odata',
      source: { path: 'specs/sales.edmx' },
      entities: [{ name: 'A_SalesOrder', operations }],
      connection: 'sap',
      environments: ['dev'],
    }),
  );
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface GitHttpServer {
  /** The http URL of a repository under the root. */
  url(repository: string): string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Git's smart HTTP protocol on a loopback port, through `git http-backend` (CGI), behind HTTP
 * basic auth when credentials are given: a wrong or missing Authorization header gets a 401.
 * Pushing is allowed to an authenticated user.
 */
export async function startGitHttpServer(root: string, credentials?: { username: string; password: string }): Promise<GitHttpServer> {
  const requests: RecordedRequest[] = [];
  const expected = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (expected !== undefined && req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="intctl-test"' }).end('unauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const child = spawn('git', ['http-backend'], { env: cgiEnvironment(root, req.method ?? 'GET', url, req.headers, credentials?.username), stdio: ['pipe', 'pipe', 'inherit'] });
    req.pipe(child.stdin);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n') >= 0 ? out.indexOf('\r\n\r\n') : out.indexOf('\n\n');
      const gap = out.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of out.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers).end(out.subarray(end + gap));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (repository) => `http://127.0.0.1:${port}/${repository}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function cgiEnvironment(root: string, method: string, url: URL, headers: IncomingHttpHeaders, user: string | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    REQUEST_METHOD: method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    ...(headers['content-length'] ? { CONTENT_LENGTH: headers['content-length'] } : {}),
    ...(headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: headers['content-encoding'] } : {}),
    ...(headers['git-protocol'] ? { GIT_PROTOCOL: String(headers['git-protocol']) } : {}),
    ...(user ? { REMOTE_USER: user } : {}),
  };
}

/** A loopback port nothing listens on (taken, then freed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
