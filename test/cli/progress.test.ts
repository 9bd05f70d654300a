import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generationProgress, LARGE_SPECIFICATION_BYTES, specificationProgress } from '../../controller/cli/progress.ts';
import { runCli } from '../helpers/cli.ts';
import { createFixtureRepo } from '../runtime/support/fixture-repo.ts';
import { CRM_SPEC_PATH } from '../support/crm.ts';

/** The progress reporter over a clock that moves `step` ms per reading, with what it wrote to stderr. */
function reporter(stderrIsTTY: boolean, forced: boolean, step: number) {
  let now = 0;
  let stderr = '';
  const progress = generationProgress({ stdout: () => undefined, stderr: (t) => (stderr += t), cwd: '/', stderrIsTTY, clock: () => (now += step) }, forced);
  return { progress, stderr: () => stderr };
}

describe('generation progress on stderr', () => {
  it('is off when stderr is not a terminal and --progress is not given', () => {
    expect(generationProgress({ stdout: () => undefined, stderr: () => undefined, cwd: '/', stderrIsTTY: false }, false)).toBeUndefined();
  });

  it('says nothing for work shorter than a second', () => {
    const r = reporter(true, false, 10);
    for (let done = 1; done <= 50; done++) r.progress!('dev', done, 50);
    expect(r.stderr()).toBe('');
  });

  it('redraws one line on a terminal, at most every 100 ms, and ends it when done', () => {
    const r = reporter(true, false, 50);
    for (let done = 1; done <= 1000; done++) r.progress!('dev', done, 1000);
    const frames = r.stderr().split('\r\x1b[K').filter(Boolean);
    expect(frames[0]).toBe('intctl: dev: generating 21/1,000 integrations…');
    expect(frames.at(-1)).toBe('intctl: dev: generating 1,000/1,000 integrations, done\n');
    expect(frames.length).toBeLessThan(1000 / 2);
  });

  it('writes whole lines, every few seconds, when forced onto a log', () => {
    const r = reporter(false, true, 100);
    for (let done = 1; done <= 200; done++) r.progress!('prod', done, 200);
    expect(r.stderr().split('\n').filter(Boolean)).toEqual([
      'intctl: prod: generating 11/200 integrations…',
      'intctl: prod: generating 61/200 integrations…',
      'intctl: prod: generating 111/200 integrations…',
      'intctl: prod: generating 161/200 integrations…',
      'intctl: prod: generating 200/200 integrations, done',
    ]);
  });
});

describe('progress of intctl generate', () => {
  it('shows a start and an end line for a specification of a megabyte or more, and nothing for a smaller one', () => {
    let now = 0;
    let stderr = '';
    const progress = specificationProgress({ stdout: () => undefined, stderr: (t) => (stderr += t), cwd: '/', stderrIsTTY: true, clock: () => (now += 1500) }, false)!;
    progress.start('small', 'specs/small.yaml', LARGE_SPECIFICATION_BYTES - 1);
    progress.end();
    expect(stderr).toBe('');
    progress.start('orders', 'specs/API_SALES_ORDER_SRV.edmx', 13_200_000);
    progress.end();
    expect(stderr).toBe('intctl: orders: generating from specs/API_SALES_ORDER_SRV.edmx (13.2 MB)…\nintctl: orders: generated in 1.5s\n');
    expect(specificationProgress({ stdout: () => undefined, stderr: () => undefined, cwd: '/', stderrIsTTY: false }, false)).toBeUndefined();
  });

  it('is printed on stderr by generate --progress, never on stdout, and not with -o json', async () => {
    const work = await mkdtemp(join(tmpdir(), 'intctl-generate-progress-'));
    try {
      await createFixtureRepo(join(work, 'repo'));
      // A large specification: the crm one, with a megabyte of description the generator reads past.
      const spec = join(work, 'repo', CRM_SPEC_PATH);
      await writeFile(spec, `${await readFile(spec, 'utf8')}x-padding: ${'a'.repeat(LARGE_SPECIFICATION_BYTES)}\n`);
      const run = await runCli(['generate', 'crm', '--repo', 'repo', '--progress'], work);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^intctl: crm: generating from specs\/crm-openapi\.yaml \(1\.\d MB\)…\nintctl: crm: generated in \d+\.\ds\n$/);
      expect(run.stdout).toMatch(/^integration crm: /);
      const json = await runCli(['generate', 'crm', '--repo', 'repo', '--progress', '-o', 'json'], work);
      expect([json.code, json.stderr]).toEqual([0, '']);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
