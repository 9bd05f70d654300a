#!/usr/bin/env node
// Runs the CLI from its ahead-of-time build in dist/ (made by `npm install`, see bin/build.js)
// when that build is newer than every source file; otherwise from the TypeScript source through
// tsx, which compiles on load, so a checkout whose build is missing or stale still runs what it
// holds. INTCTL_FROM_SOURCE=1 always runs the source.
import { fileURLToPath } from 'node:url';
import { buildIsFresh } from './fresh-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));

let main;
if (process.env.INTCTL_FROM_SOURCE !== '1' && buildIsFresh(root)) {
  ({ main } = await import('../dist/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../controller/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
