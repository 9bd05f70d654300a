#!/usr/bin/env node
// `npm test`: ESLint, the type check and every test file, started together rather than one after
// the other. ESLint and tsc use one core each (about 25 and 40 s here); run first, they left the
// other core idle and delayed the first test by a minute. Beside vitest, at a lower priority,
// they take the time its workers spend waiting on Git, servers and databases instead.
//
// Arguments go to vitest (`npm test -- test/cli` runs lint, the type check and test/cli/).
// Vitest's output is shown as it comes; ESLint's and tsc's once each ends, under a line that says
// whether it passed, so the three never interleave. The exit status is the first failure's, or 0
// when all three pass; unlike `lint && typecheck && vitest`, one failure does not hide the others.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

/** The checks beside vitest, as package.json defines them (`npm run lint`, `npm run typecheck`). */
const CHECKS = ['lint', 'typecheck'];

/** How much lower the checks' priority is than vitest's: they fill its idle time, not its busy time. */
const NICENESS = 10;

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run <script>` with its output kept, and prints it once the script ends. */
function check(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    try {
      setPriority(child.pid, NICENESS);
    } catch {
      // A system that refuses lowering a priority still runs the check, only sooner.
    }
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (code) => {
      const text = Buffer.concat(output).toString();
      process.stdout.write(`\n${script}: ${code === 0 ? 'passed' : `failed (exit ${code})`}\n${text}`);
      resolve(code ?? 1);
    });
  });
}

/** Runs vitest with this command's arguments, its output straight to the terminal. */
function vitest() {
  return new Promise((resolve) => {
    const child = spawn(npm, ['exec', '--', 'vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const codes = await Promise.all([vitest(), ...CHECKS.map(check)]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
