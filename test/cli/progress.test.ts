import { describe, expect, it } from 'vitest';
import { generationProgress } from '../../controller/cli/progress.ts';

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
