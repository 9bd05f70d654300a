/**
 * Global setup of the integration tier: makes the ahead-of-time build of the CLI (dist/, as
 * `npm install` makes it) current before any test starts an `intctl` process. bin/intctl.js runs
 * that build when it is newer than every source file and compiles the TypeScript source on load
 * otherwise, about 0.7 s more for every process a test starts; after an edit to controller/, every
 * one of them did. The build takes about a second; the same code runs either way. With
 * INTCTL_FROM_SOURCE=1 the processes run the source, and nothing is built.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
// @ts-expect-error plain JavaScript, loaded by bin/intctl.js before any compiler
import { buildIsFresh } from '../../bin/fresh-build.js';

const ROOT = join(import.meta.dirname, '..', '..');

export default function setup(): void {
  if (process.env.INTCTL_FROM_SOURCE === '1' || (buildIsFresh(ROOT) as boolean)) return;
  execFileSync(process.execPath, [join(ROOT, 'bin', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
}
