import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { packagePath } from '../config/package-root.ts';

/** Where the dashboard's own files are: plain ES modules, served as they are (no build step). */
export const DASHBOARD_UI_DIR = packagePath('controller', 'dashboard', 'ui');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Pages of the dashboard a person can link to; each is the same document, which reads the path. */
const PAGES = ['/', '/matrix', '/environments/:name', '/integrations/:name'];

/**
 * Same origin only, no inline script or style, no framing: the dashboard needs nothing else, and
 * a name or message from a manifest can never run as code in it.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The vendored libraries (Preact, its hooks, htm) from node_modules, read once; imports rewritten to the served names. */
function vendorFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const dist = (specifier: string): string => dirname(require.resolve(specifier));
  return new Map([
    ['preact.mjs', readFileSync(join(dist('preact'), 'preact.module.js'), 'utf8')],
    ['preact-hooks.mjs', readFileSync(join(dist('preact/hooks'), 'hooks.module.js'), 'utf8').replace(/from\s*["']preact["']/g, 'from"./preact.mjs"')],
    ['htm.mjs', readFileSync(join(dist('htm'), 'htm.module.js'), 'utf8')],
  ]);
}

/** The dashboard's pages and files: `/`, `/matrix`, `/environments/<name>`, `/integrations/<name>`, and `/ui/*`. Works offline: nothing from a CDN. */
export const dashboardStaticRoutes: FastifyPluginAsync = async (app) => {
  const files = new Map<string, string>();
  for (const name of readdirSync(DASHBOARD_UI_DIR)) if (TYPES[extname(name)]) files.set(name, readFileSync(join(DASHBOARD_UI_DIR, name), 'utf8'));
  for (const [name, text] of vendorFiles()) files.set(`vendor/${name}`, text);
  const index = files.get('index.html')!;

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });
  // The pages themselves hold no data: the API behind them is what readAccess guards.
  for (const url of PAGES) app.get(url, { logLevel: 'warn' }, async (_request, reply) => reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(index));
  app.get('/ui/*', { logLevel: 'warn' }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const text = files.get(name);
    if (text === undefined) return reply.code(404).type('text/plain; charset=utf-8').send(`no such file: /ui/${name}\n`);
    return reply.type(TYPES[extname(name)] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(text);
  });
};
