#!/usr/bin/env node
// Compiles the CLI ahead of time into dist/ (run by `npm install` through the `prepare` script):
// one bundle of intctl's own code, each command in its own chunk loaded when it runs, the
// libraries left in node_modules. bin/intctl.js runs dist/ when it is newer than every source
// file and the TypeScript source through tsx otherwise, so a source checkout always runs.
//
//   node bin/build.js [outdir]    (default: dist/)
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = resolve(process.argv[2] ?? `${root}dist`);
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'controller/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Written last: its time is the build's, compared against the sources by bin/intctl.js.
writeFileSync(`${outdir}/built.json`, `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
