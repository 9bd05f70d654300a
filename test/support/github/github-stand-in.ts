import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { githubToken, publicKeyOf, testAppKeyPair } from './auth.ts';
import { handleRequest, type Exchange } from './handle-request.ts';
import { loadGithubDescription, type GithubDescriptionName } from './openapi-description.ts';
import type { FaultSpec, PendingFault } from './faults.ts';
import type { RateLimitBucket, Site } from './resources.ts';
import { emptyState, idSequence, type PullRequestInput, type PullRequestRecord, type ReviewInput, type ReviewRecord, type StandInState } from './state.ts';

export interface GithubStandInOptions {
  owner: string;
  repo: string;
  /** `token`: a personal access token (`gh.token`); `app`: a GitHub App with an installation on the repository. */
  auth: 'token' | 'app';
  /** `/api/v3` for GitHub Enterprise Server; checked against GHES's description unless `description` says otherwise. */
  pathPrefix?: string;
  /** The app's private key; a test key pair is generated (once per worker) when absent. */
  appPrivateKeyPem?: string;
  appId?: number;
  installationId?: number;
  description?: GithubDescriptionName;
  /** The core rate limit per hour; 5000 unless told. */
  rateLimit?: number;
}

export interface RecordedRequest {
  method: string;
  /** The path below the API root (without `pathPrefix` and query). */
  path: string;
  query: Record<string, string>;
  /** `null` for a request that names no operation GitHub describes. */
  operationId: string | null;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** When the stand-in read the request (`performance.now()`, ms): how long a client waited shows between two. */
  receivedAt: number;
}

export type InvalidRequestKind = 'UnknownOperation' | 'NotServed' | 'InvalidJson' | 'Schema' | 'Rejected';

/** A request GitHub would refuse, or one the stand-in cannot answer faithfully. */
export interface InvalidRequest {
  kind: InvalidRequestKind;
  method: string;
  path: string;
  operationId: string | null;
  status: number;
  problems: string[];
}

/** A response of the stand-in that its description does not allow: a bug in the stand-in. */
export interface InvalidResponse {
  operationId: string;
  status: number;
  problems: string[];
}

export interface GithubStandIn {
  /** Octokit's `baseUrl`: `http://127.0.0.1:<port>[<pathPrefix>]`. */
  url: string;
  /** The personal access token accepted with `auth: 'token'`. */
  token: string;
  appId: number;
  installationId: number;
  appPrivateKeyPem: string;
  requests: RecordedRequest[];
  invalidRequests: InvalidRequest[];
  invalidResponses: InvalidResponse[];
  state: StandInState;
  rateLimit: RateLimitBucket;
  /** Milliseconds from the call to listening, including loading the description when this worker had not yet. */
  startupMs: number;
  addPullRequest(input: PullRequestInput): PullRequestRecord;
  addReview(pullNumber: number, input: ReviewInput): ReviewRecord;
  associateCommit(sha: string, pullNumber: number): void;
  failNext(fault: FaultSpec): void;
  /** Stops the server; rejects when a request named an operation that GitHub does not describe or the stand-in does not serve. */
  close(): Promise<void>;
}

/**
 * Starts a local GitHub API that checks every request against GitHub's published OpenAPI description, answers the
 * operations a status reporter uses from remembered state, and records what it received. The description is loaded
 * once per worker; later servers start in milliseconds.
 */
export async function startGithubStandIn(options: GithubStandInOptions): Promise<GithubStandIn> {
  const started = performance.now();
  const pathPrefix = (options.pathPrefix ?? '').replace(/\/$/, '');
  const description = await loadGithubDescription(options.description ?? (pathPrefix ? 'ghes-3.19' : 'api.github.com'));
  const appPrivateKeyPem = options.appPrivateKeyPem ?? testAppKeyPair().privateKeyPem;
  const appId = options.appId ?? 1001;
  const installationId = options.installationId ?? 4242;
  const state = emptyState();
  const userIds = new Map<string, number>();
  const site: Site = {
    owner: options.owner,
    repo: options.repo,
    apiUrl: '',
    webUrl: pathPrefix ? 'http://github.example' : 'https://github.com',
    appId,
    appSlug: 'intctl',
    installationId,
    examples: description.examples,
    userId: (login) => {
      if (!userIds.has(login)) userIds.set(login, 583_231 + userIds.size * 17);
      return userIds.get(login)!;
    },
  };
  const limit = options.rateLimit ?? 5000;
  const exchange: Exchange = {
    description,
    site,
    state,
    pathPrefix,
    credentials: { auth: options.auth, token: githubToken('ghp_'), appId, installationId, appPublicKey: publicKeyOf(appPrivateKeyPem), state },
    faults: [] as PendingFault[],
    rateLimit: { limit, remaining: limit, reset: Math.floor(Date.now() / 1000) + 3600 },
    requests: [],
    invalidRequests: [],
    invalidResponses: [],
    ids: { checkRun: idSequence(40_000_001), status: idSequence(70_000_001), sequence: idSequence(1) },
  };
  const nextPullId = idSequence(1_900_000_001);
  const nextReviewId = idSequence(80_000_001);

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void serve(exchange, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  site.apiUrl = `http://127.0.0.1:${port}${pathPrefix}`;

  return {
    url: site.apiUrl,
    token: exchange.credentials.token,
    appId,
    installationId,
    appPrivateKeyPem,
    requests: exchange.requests,
    invalidRequests: exchange.invalidRequests,
    invalidResponses: exchange.invalidResponses,
    state,
    rateLimit: exchange.rateLimit,
    startupMs: Math.round(performance.now() - started),
    addPullRequest(input) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const merged = input.merged ?? false;
      const record: PullRequestRecord = {
        number: input.number,
        head: { sha: input.head.sha.toLowerCase(), ref: input.head.ref },
        base: { sha: input.base.sha.toLowerCase(), ref: input.base.ref },
        user: input.user,
        state: input.state,
        merged,
        mergeCommitSha: input.mergeCommitSha?.toLowerCase() ?? null,
        title: input.title ?? `Change ${input.head.ref}`,
        draft: input.draft ?? false,
        id: state.pulls[input.number]?.id ?? nextPullId(),
        created_at: state.pulls[input.number]?.created_at ?? now,
        updated_at: now,
      };
      state.pulls[input.number] = record;
      return record;
    },
    addReview(pullNumber, input) {
      if (!state.pulls[pullNumber]) throw new Error(`addReview: no pull request #${pullNumber}; addPullRequest first`);
      const record: ReviewRecord = { body: '', ...input, commitId: input.commitId.toLowerCase(), id: nextReviewId(), submitted_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      (state.reviews[pullNumber] ??= []).push(record);
      return record;
    },
    associateCommit(sha, pullNumber) {
      if (!state.pulls[pullNumber]) throw new Error(`associateCommit: no pull request #${pullNumber}; addPullRequest first`);
      const list = (state.associatedPulls[sha.toLowerCase()] ??= []);
      if (!list.includes(pullNumber)) list.push(pullNumber);
    },
    failNext(fault) {
      exchange.faults.push({ ...fault, left: fault.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      const loud = exchange.invalidRequests.filter((invalid) => invalid.kind === 'UnknownOperation' || invalid.kind === 'NotServed');
      if (loud.length > 0) {
        throw new Error(`the GitHub stand-in received requests it cannot answer faithfully:\n${loud.map((l) => `  ${l.method} ${l.path}: ${l.problems.join('; ')}`).join('\n')}`);
      }
    },
  };
}

async function serve(exchange: Exchange, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const answer = handleRequest(exchange, {
    method: request.method ?? 'GET',
    url: new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`),
    headers: request.headers,
    body: Buffer.concat(chunks).toString('utf8'),
  });
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
