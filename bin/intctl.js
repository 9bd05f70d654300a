#!/usr/bin/env node
// Runs the CLI from its ahead-of-time build in dist/ (made by `npm install`, see bin/build.js)
// when that build is newer than every source file; otherwise from the TypeScript source through
// tsx, which compiles on load, so a checkout whose build is missing or stale still runs what it
// holds. INTCTL_FROM_SOURCE=1 always runs the source.
import { fileURLToPath } from 'node:url';
import { buildIsFresh } from './fresh-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// A reader that stops early (`intctl get … | head`) closes the pipe, and what is left to write has
// nowhere to go. That ends the command quietly, with the status of a process a broken pipe ends
// (128 + SIGPIPE), as Unix tools do, instead of an EPIPE error and its stack.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(141);
  });
}

let main;
if (process.env.INTCTL_FROM_SOURCE !== '1' && buildIsFresh(root)) {
  ({ main } = await import('../dist/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../controller/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
