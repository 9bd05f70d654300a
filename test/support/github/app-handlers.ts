import { githubToken } from './auth.ts';
import { isRepository, type Handler } from './handler-context.ts';
import { installation, installationToken, rateLimitOverview } from './resources.ts';
import { notFound } from './responses.ts';

/** Installation tokens live an hour on GitHub. */
const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

const getRepoInstallation: Handler = (context) => {
  if (!isRepository(context)) return notFound(context.docs);
  return { status: 200, body: installation(context.site) };
};

const createInstallationToken: Handler = (context) => {
  if (Number(context.params.installation_id) !== context.site.installationId) return notFound(context.docs);
  const token = githubToken('ghs_');
  const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  context.state.installationTokens.push({ token, expires_at: expiresAt });
  const permissions = context.body.permissions as Record<string, unknown> | undefined;
  return { status: 201, body: installationToken(token, expiresAt, permissions) };
};

const getRateLimit: Handler = (context) => ({ status: 200, body: rateLimitOverview(context.site, context.rateLimit) });

export const appHandlers: Record<string, Handler> = {
  'apps/get-repo-installation': getRepoInstallation,
  'apps/create-installation-access-token': createInstallationToken,
  'rate-limit/get': getRateLimit,
};
