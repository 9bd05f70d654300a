import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../controller/cli/main.ts';
import { GENERATORS } from '../../controller/generators/registry.ts';
import { integrationAt, writeExamplesAtScale, type ScaleShape } from '../support/examples-at-scale.ts';

/** 100 copies of the crm example: one specification, one selection, 100 names. */
const SHAPE: ScaleShape = { integrations: 100, teams: 10, rotate: ['crm'] };

let work: string;
let repo: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'intctl-shared-'));
  repo = join(work, 'repo');
  await writeExamplesAtScale(repo, SHAPE);
  vi.stubEnv('INTCTL_CACHE_DIR', join(work, 'cache'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(work, { recursive: true, force: true });
});

async function cli(args: string[], io: { stderrIsTTY?: boolean; clock?: () => number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--repo', repo, '--state-dir', join(work, 'state')], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: work, ...io });
  return { code, stdout, stderr };
}

describe('intctl plan over integrations that share a specification', () => {
  it('generates it once for 100 integrations, and not at all when nothing changed: from the cache, or with --no-cache from what the environment holds', async () => {
    const generate = vi.spyOn(GENERATORS.openapi!, 'generate');
    const counted = async (args: string[]) => {
      generate.mockClear();
      const run = await cli(args);
      return { ...run, generated: generate.mock.calls.length };
    };

    const cold = await counted(['plan', '--env', 'dev']);
    expect(cold.stdout).toMatch(/Plan for environment dev at working-tree: 112 actions\./);
    expect([cold.code, cold.generated]).toEqual([2, 1]);
    expect(await readdir(join(work, 'cache', 'generations-v1'))).toHaveLength(1);

    // The persistent cache: the next run generates nothing.
    expect((await counted(['plan', '--env', 'dev'])).generated).toBe(0);
    // Without it, one generation for the 100, in memory.
    expect((await counted(['plan', '--env', 'dev', '--no-cache'])).generated).toBe(1);

    const applied = await counted(['apply', '--env', 'dev', '--no-cache']);
    expect([applied.code, applied.generated]).toEqual([0, 1]);
    // Nothing changed since the apply: every hash is the one published, so nothing is generated, cache or not.
    const unchanged = await counted(['plan', '--env', 'dev', '--no-cache']);
    expect(unchanged.stdout).toBe('Plan for environment dev at working-tree: nothing to do.\n');
    expect([unchanged.code, unchanged.generated]).toEqual([0, 0]);

    // One file changed: only what it touches is generated.
    const { file, name } = integrationAt(SHAPE, 42);
    const text = await readFile(join(repo, file), 'utf8');
    await writeFile(join(repo, file), text.replace(/^ *- mergeCustomers\n/m, ''));
    const oneFile = await counted(['plan', '--env', 'dev', '--no-cache']);
    expect(oneFile.stdout).toMatch(new RegExp(`1 action, 1 breaking\\.[\\s\\S]*publish\\s+${name}\\s+changed`));
    expect([oneFile.code, oneFile.generated]).toEqual([2, 1]);
  });

  it('shows progress on stderr with --progress, and none with -o json', async () => {
    let now = 0;
    const clock = () => (now += 50);
    const shown = await cli(['plan', '--env', 'dev', '--no-cache', '--progress'], { stderrIsTTY: false, clock });
    expect(shown.stderr).toContain('intctl: dev: generating 100/100 integrations, done\n');
    expect(shown.stderr).toMatch(/^intctl: dev: generating \d+\/100 integrations…\n/);
    expect(shown.stdout).not.toContain('generating');

    const json = await cli(['plan', '--env', 'dev', '--no-cache', '--progress', '-o', 'json'], { stderrIsTTY: true, clock });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).outcome.kind).toBe('Planned');
  });
});
