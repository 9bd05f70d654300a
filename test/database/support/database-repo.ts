import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ServedEnvironment } from '../../environment-server/support/serve-environment.ts';
import { TOKENS } from '../../environment-server/support/serve-environment.ts';
import { connectionManifest, environmentManifest, integrationManifest, writeRepo } from '../../environment-server/support/manifest-repo.ts';
import { runCli } from '../../helpers/cli.ts';

export const TOKEN_VARIABLE = 'INTCTL_TEST_DATABASE_ENV_TOKEN';

export interface DatabaseRepo {
  repo: string;
  state: string;
  snapshotPath: string;
}

/**
 * A repository with one database integration `shop` of every table of `schema`, bound to the
 * connection `shop-db` in environment dev (an http environment served by `served`, which allows
 * plain secrets: the test databases trust loopback or have an empty root password).
 */
export async function writeDatabaseRepo(work: string, served: ServedEnvironment, options: { system: 'postgresql' | 'mysql'; endpoint: string; username: string; password: string; schema: string; allowBreaking?: boolean; name?: string }): Promise<DatabaseRepo> {
  const repo = join(work, options.name ?? 'repo');
  process.env[TOKEN_VARIABLE] = TOKENS.controller;
  await writeRepo(repo, {
    'environments.yaml': [
      environmentManifest('dev', { driver: 'http', url: served.url, token: { env: TOKEN_VARIABLE }, policy: { autoApply: true, prune: true, selfHeal: true, plainSecrets: true, allowBreaking: options.allowBreaking ?? true } }),
    ],
    'connections/shop-db.yaml': [
      connectionManifest('shop-db', { system: options.system, auth: { type: 'basic' }, environments: { dev: { endpoint: options.endpoint, username: options.username, password: { plain: options.password } } } }),
    ],
    'integrations/shop.yaml': [
      integrationManifest('shop', { system: options.system, source: { path: 'specs/shop.schema.json', introspect: { schemas: [options.schema] } }, connection: 'shop-db', environments: ['dev'] }),
    ],
  });
  return { repo, state: join(work, 'state'), snapshotPath: join(repo, 'specs', 'shop.schema.json') };
}

/** `intctl introspect shop --env dev` in the repository. */
export function introspect(r: DatabaseRepo, ...args: string[]): ReturnType<typeof runCli> {
  return runCli(['introspect', 'shop', '--env', 'dev', '--repo', r.repo, '--state-dir', r.state, ...args]);
}

/** Introspects with --write and applies to dev, expecting both to succeed. */
export async function introspectAndApply(r: DatabaseRepo): Promise<string> {
  const read = await introspect(r, '--write');
  expect(read.stderr).toBe('');
  expect(read.code).toBe(0);
  const applied = await runCli(['apply', '--repo', r.repo, '--env', 'dev', '--state-dir', r.state]);
  expect(applied.stderr).toBe('');
  expect(applied.code).toBe(0);
  return readFile(r.snapshotPath, 'utf8');
}

/** Runs an action of `shop` through the environment server with an application token. */
export async function invoke(served: ServedEnvironment, action: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${served.url}/v1/integrations/shop/actions/${action}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.applications[0]}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The output of a successful action. */
export async function output(served: ServedEnvironment, action: string, input: unknown): Promise<unknown> {
  const answer = await invoke(served, action, input);
  expect(answer.body, JSON.stringify(answer.body)).toHaveProperty('output');
  expect(answer.status).toBe(200);
  return answer.body.output;
}
