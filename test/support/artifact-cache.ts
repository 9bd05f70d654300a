/**
 * Generated artifacts of large specifications (GitHub's description, Dataverse's metadata), built
 * once and kept on disk for the tests that look at what generation made rather than at generation
 * itself; test/generation/real-specifications.test.ts takes its first generation of each from
 * here too, and generates each again itself on every run, from a frozen model, to the same bytes.
 *
 * An entry is named by everything its bytes follow from: the build input (manifest, path and pins,
 * the specification's bytes) and the generator as it stands (every file under controller/, the
 * locked dependencies, Node's version). A change to any of them is a new name, so an entry is
 * never stale; the older entry of the same input is removed when the new one is written. Test
 * files that want the same entry at once build it once: the first takes a lock, the others wait
 * for the entry to appear.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildArtifact, type Artifact, type BuildInput } from '../../controller/artifact/build-artifact.ts';
import { ok, type Result } from '../../controller/generators/generator.ts';
import type { SpecModels } from '../../controller/generators/spec-models.ts';
import { until } from './time.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(tmpdir(), 'intctl-test-artifacts');

let generatorDigest: string | undefined;

/** A digest of what generation runs: every file under controller/, package-lock.json and Node's version. */
function generatorVersion(): string {
  if (generatorDigest !== undefined) return generatorDigest;
  const hash = createHash('sha256').update(process.version);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(join(ROOT, 'controller'));
  files.push(join(ROOT, 'package-lock.json'));
  for (const file of files.sort()) hash.update(`\0${relative(ROOT, file)}\0`).update(readFileSync(file));
  generatorDigest = hash.digest('hex').slice(0, 32);
  return generatorDigest;
}

function inputDigest(input: BuildInput): string {
  const { specBytes, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).update('\0').update(specBytes).digest('hex').slice(0, 32);
}

/** Whether the process that took a lock still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readEntry(file: string): Artifact | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Artifact;
  } catch {
    return undefined;
  }
}

/** True once the entry is there or nobody builds it any more (its lock gone, or its builder dead). */
function settled(file: string, lock: string): boolean {
  if (existsSync(file)) return true;
  let holder: number;
  try {
    holder = Number(readFileSync(lock, 'utf8'));
  } catch {
    return true;
  }
  if (alive(holder)) return false;
  rmSync(lock, { force: true });
  return true;
}

/**
 * What `buildArtifact(input, undefined, models)` gives, read from disk when an earlier build of the
 * same input by the same generator left it there (a refusal is not kept: it is built again).
 * `models` serves the parse of a build, for a caller that parsed the specification already.
 */
export async function cachedBuild(input: BuildInput, models?: SpecModels): Promise<Result<Artifact>> {
  const name = inputDigest(input);
  const file = join(DIR, `${name}-${generatorVersion()}.json`);
  const lock = `${file}.lock`;
  mkdirSync(DIR, { recursive: true });
  for (;;) {
    const found = readEntry(file);
    if (found) return ok(found, found.warnings);
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      await until(`the artifact ${file} that another test file builds`, () => settled(file, lock), { timeoutMs: 300_000, everyMs: 100 });
    }
  }
  try {
    const built = await buildArtifact(input, undefined, models);
    if (!built.ok) return built;
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(built.value));
    renameSync(partial, file);
    for (const entry of readdirSync(DIR)) {
      if (entry.startsWith(`${name}-`) && entry.endsWith('.json') && join(DIR, entry) !== file) rmSync(join(DIR, entry), { force: true });
    }
    return built;
  } finally {
    rmSync(lock, { force: true });
  }
}
