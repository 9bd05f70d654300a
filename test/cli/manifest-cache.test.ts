import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDiskManifestCache } from '../../controller/load/disk-manifest-cache.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { integrationAt, writeExamplesAtScale } from '../support/examples-at-scale.ts';

/**
 * `intctl plan` keeps what each manifest file made in the cache directory, by the file's content:
 * the next run reads and hashes every file but parses and validates only those that changed, and
 * loads exactly what a run without the cache loads — objects, problems and the lines problems
 * point at. A damaged cache file is ignored.
 */
const SHAPE = { integrations: 30, teams: 5 };

describe('the manifest cache kept across runs', () => {
  let work: string;
  let repo: string;
  let cacheDir: string;
  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'intctl-manifest-cache-'));
    repo = join(work, 'repo');
    cacheDir = join(work, 'cache');
    await writeExamplesAtScale(repo, SHAPE);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** One load as the CLI's plan makes it, with a cache opened from the directory and saved after. */
  const cachedLoad = async () => {
    const contents = openDiskManifestCache(cacheDir);
    const loaded = await loadAndValidate(fsRepository(repo), undefined, { contents });
    await contents.save();
    return loaded;
  };
  /** What a load says, located: every object with its file and where its name is, every problem. */
  const said = (loaded: Awaited<ReturnType<typeof loadAndValidate>>) => ({
    objects: [...loaded.set.integrations, ...loaded.set.connections, ...loaded.set.environments].map((o) => ({ file: o.file, manifest: o.manifest, name: o.locate(['metadata', 'name']), spec: o.locateKey(['spec']) })),
    problems: loaded.problems,
    manifestFiles: loaded.stats.manifestFiles,
  });
  const uncached = async () => said(await loadAndValidate(fsRepository(repo)));

  it('parses only what changed, and loads what a load without it loads', async () => {
    const first = await cachedLoad();
    const files = first.stats.files;
    expect(first.stats.parsed).toBe(files);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('manifests-'))).toHaveLength(1);

    const second = await cachedLoad();
    expect(second.stats.parsed).toBe(0);
    expect(said(second)).toEqual(await uncached());

    const changed = integrationAt(SHAPE, 3);
    const path = join(repo, changed.file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^( *)- Get$/m, '$1- Search'));
    const third = await cachedLoad();
    expect(third.stats.parsed).toBe(1);
    expect(said(third)).toEqual(await uncached());
  });

  it('points problems found across files at the lines of cached files, as without the cache', async () => {
    await cachedLoad();
    // Every integration now names a connection that no file defines: a problem at each of their `connection` lines.
    const connections = readdirSync(join(repo, 'connections'));
    for (const file of connections) unlinkSync(join(repo, 'connections', file));
    const loaded = await cachedLoad();
    expect(loaded.stats.parsed).toBe(0);
    expect(loaded.errors.some((p) => p.reason === 'DanglingReference')).toBe(true);
    expect(said(loaded)).toEqual(await uncached());
  });

  it('loads all the same when the cache cannot be written', async () => {
    writeFileSync(join(work, 'not-a-directory'), '');
    cacheDir = join(work, 'not-a-directory', 'cache');
    const loaded = await cachedLoad();
    expect(loaded.stats.parsed).toBe(loaded.stats.files);
    expect(said(loaded)).toEqual(await uncached());
    expect((await cachedLoad()).stats.parsed).toBe(loaded.stats.files);
  });

  it('ignores a damaged cache file, and rewrites it', async () => {
    await cachedLoad();
    const [name] = readdirSync(cacheDir).filter((f) => f.startsWith('manifests-'));
    const file = join(cacheDir, name!);
    const text = readFileSync(file, 'utf8');
    // Same length, one manifest's name altered: the body no longer has the SHA-256 its header gives.
    writeFileSync(file, text.replace('"name":"', '"name":"x'));
    const loaded = await cachedLoad();
    expect(loaded.stats.parsed).toBe(loaded.stats.files);
    expect(said(loaded)).toEqual(await uncached());
    writeFileSync(file, text.slice(0, text.length / 2));
    expect((await cachedLoad()).stats.parsed).toBe(loaded.stats.files);
    expect((await cachedLoad()).stats.parsed).toBe(0);
  });
});
