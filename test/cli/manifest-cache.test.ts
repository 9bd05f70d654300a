import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { artifactIdentity, type IdentityStore } from '../../controller/artifact/build-artifact.ts';
import { DEFAULT_DEPENDENCIES } from '../../controller/core/dependencies.ts';
import { headOf } from '../../controller/core/manifest.ts';
import { openDiskManifestCache } from '../../controller/load/disk-manifest-cache.ts';
import { heldIntegrationNames } from '../../controller/reconcilers/environment/desired-state.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { fsRepository } from '../../controller/source/fs-repository.ts';
import { integrationAt, writeExamplesAtScale } from '../support/examples-at-scale.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * `intctl plan` keeps what each manifest file made in the cache directory, by the file's content:
 * the next run reads and hashes every file (or, by its stamp, reads none that has not changed)
 * but parses and validates only those that changed, and
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
  /**
   * The CLI's clock a minute ahead (Date only; timers stay real): every file of the repository,
   * just written, counts as settled, and is stamped by the first run. Otherwise a run that took
   * long enough would find files settled that an earlier one did not, and add their stamps.
   */
  const settledClock = () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60_000);
  };
  /** Runs `body` with the CLI on this test's cache directory and a state directory, its clock a minute ahead. */
  const withCliCache = async (body: (state: string) => Promise<void>) => {
    const given = process.env.INTCTL_CACHE_DIR;
    process.env.INTCTL_CACHE_DIR = cacheDir;
    settledClock();
    try {
      await body(join(work, 'state'));
    } finally {
      vi.useRealTimers();
      if (given === undefined) delete process.env.INTCTL_CACHE_DIR;
      else process.env.INTCTL_CACHE_DIR = given;
    }
  };

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

  it('keeps the content hash of each unchanged manifest, so that a later plan computes none: the same hashes as computed', async () => {
    /** The hashes a plan's held check finds for every integration of dev, counting those it had to compute. */
    const hashesOfDev = async () => {
      const contents = openDiskManifestCache(cacheDir);
      const loaded = await loadAndValidate(fsRepository(repo), undefined, { contents });
      const environment = loaded.set.environments.find((e) => e.manifest.metadata.name === 'dev')!;
      const computed: string[] = [];
      const found = new Map<string, string>();
      const identities: IdentityStore = {
        get: (key) => contents.identities.get(key),
        set: (key, identity) => {
          computed.push(`${key.manifest} ${key.inputs}`);
          contents.identities.set(key, identity);
        },
      };
      // Published at a hash no input gives: every integration's identity is asked for, none is held.
      const published = loaded.set.integrations.map((o) => ({ name: o.manifest.metadata.name, version: 'x', artifactHash: `sha256:${'0'.repeat(64)}`, system: o.manifest.spec.system, catalog: {}, requires: {}, connection: o.manifest.spec.connection, commit: 'c' }));
      const held = await heldIntegrationNames(loaded.set, environment, fsRepository(repo), published, new Map(), {
        get: (key) => {
          const identity = identities.get(key);
          if (identity) found.set(`${key.manifest} ${key.inputs}`, identity.hash);
          return identity;
        },
        set: (key, identity) => {
          found.set(`${key.manifest} ${key.inputs}`, identity.hash);
          identities.set(key, identity);
        },
      });
      expect(held.size).toBe(0);
      await contents.save();
      const direct = new Set<string>();
      for (const object of loaded.set.integrations.filter((o) => o.manifest.spec.environments.includes('dev'))) {
        const path = object.manifest.spec.source.path!;
        const connection = loaded.set.connections.find((c) => c.manifest.metadata.name === object.manifest.spec.connection && c.manifest.spec.environments.dev);
        const identity = artifactIdentity({
          integration: object.manifest,
          specBytes: await fsRepository(repo).read(path),
          specPath: path,
          pins: { ...DEFAULT_DEPENDENCIES, ...environment.manifest.spec.dependencies },
          ...(connection ? { authType: connection.manifest.spec.auth.type } : {}),
        });
        if (identity.ok) direct.add(identity.value.hash);
      }
      return { computed: computed.length, hashes: new Set(found.values()), direct, asked: found.size };
    };
    const first = await hashesOfDev();
    expect(first.computed).toBeGreaterThan(0);
    expect(first.computed).toBe(first.asked);
    expect(first.hashes).toEqual(first.direct);
    const second = await hashesOfDev();
    expect(second.computed).toBe(0);
    expect(second.asked).toBe(first.asked);
    expect(second.hashes).toEqual(first.direct);
    // One file's bytes changed (a comment): its identity alone is computed again.
    const path = join(repo, integrationAt(SHAPE, 3).file);
    writeFileSync(path, `${readFileSync(path, 'utf8')}# reviewed\n`);
    const third = await hashesOfDev();
    expect(third.computed).toBe(1);
    expect(third.hashes).toEqual(third.direct);
  });

  it('keeps the content hashes of what an apply generated: the plan after it, nothing changed, adds nothing to the cache', async () => {
    await withCliCache(async (state) => {
      expect((await runCli(['apply', '--env', 'dev', '--repo', repo, '--state-dir', state])).code).toBe(0);
      const cached = () => readdirSync(cacheDir).filter((f) => f.startsWith('manifests-')).sort().map((f) => [f, readFileSync(join(cacheDir, f), 'latin1')]);
      const afterApply = cached();
      const plan = await runCli(['plan', '--env', 'dev', '--repo', repo, '--state-dir', state]);
      expect(plan.stdout).toContain('nothing to do');
      expect(cached()).toEqual(afterApply);
    });
  });

  it("reads no integration's whole manifest for a plan with nothing changed: its texts after the base's body can be damaged, and a read of one names the cache", async () => {
    await withCliCache(async (state) => {
      expect((await runCli(['apply', '--env', 'dev', '--repo', repo, '--state-dir', state])).code).toBe(0);
      const [name] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
      const file = join(cacheDir, name!);
      const text = readFileSync(file, 'latin1');
      const [, , , bodyLength, textLength] = text.slice(0, text.indexOf('\n')).split(' ').slice(1);
      const textsStart = text.indexOf('\n') + 1 + Number(bodyLength);
      expect(Number(textLength)).toBeGreaterThan(0);
      expect(textsStart + Number(textLength)).toBe(text.length);
      // Every whole manifest altered, at the same length: the body and its digest are as written.
      const texts = text.slice(textsStart).replaceAll('"entities"', '"Entities"');
      expect(texts).not.toBe(text.slice(textsStart));
      writeFileSync(file, text.slice(0, textsStart) + texts, 'latin1');

      const plan = await runCli(['plan', '--env', 'dev', '--repo', repo, '--state-dir', state]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('nothing to do');
      // What asks for a whole manifest is told which file to blame, and how to go on.
      const contents = openDiskManifestCache(cacheDir);
      const loaded = await loadAndValidate(fsRepository(repo), undefined, { contents, deferSelections: true });
      const integration = loaded.set.integrations.find((o) => o.file === integrationAt(SHAPE, 3).file)!;
      expect(integration.head.metadata.name).toBe(integrationAt(SHAPE, 3).name);
      expect(() => integration.manifest).toThrow(`the manifest cache ${file} was damaged while intctl read it; run again, or with --no-cache`);
    });
  });

  it('gives each integration whole from the texts after the body, and writes them into a new base without parsing them', async () => {
    await cachedLoad();
    const path = join(repo, integrationAt(SHAPE, 3).file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^( {2}description: ).*$/m, '$1Changed since.'));
    // Far more than an eighth of the entries unused: the next load writes a new base of what it used, texts it never read among them.
    for (let n = 6; n < SHAPE.integrations; n += 3) unlinkSync(join(repo, integrationAt(SHAPE, n).file));
    const generation = () => readdirSync(cacheDir).filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(cacheDir, f), 'latin1').split(' ')[2]);
    const before = generation();
    const rewritten = await cachedLoad();
    expect(rewritten.stats.parsed).toBe(1);
    expect(generation()).not.toEqual(before);
    const again = await cachedLoad();
    expect(again.stats.parsed).toBe(0);
    expect(said(again)).toEqual(await uncached());
    for (const object of again.set.integrations) expect(object.head).toEqual(headOf(object.manifest));
  });

  it('gives every whole manifest of a large repository as without the cache: the first few read one by one, the rest at once', async () => {
    rmSync(repo, { recursive: true, force: true });
    await writeExamplesAtScale(repo, { integrations: 150, teams: 7 });
    await cachedLoad();
    const again = await cachedLoad();
    expect(again.stats.parsed).toBe(0);
    expect(again.set.integrations.length).toBeGreaterThan(64);
    expect(said(again)).toEqual(await uncached());
  });

  it('keeps the content hashes found for each environment: planning dev, prod, then dev again computes none the third time', async () => {
    /** The number of content hashes a held check of one environment had to compute, against a cache opened and saved around it. */
    const computedFor = async (name: string): Promise<number> => {
      const contents = openDiskManifestCache(cacheDir);
      const loaded = await loadAndValidate(fsRepository(repo), undefined, { contents });
      const environment = loaded.set.environments.find((e) => e.manifest.metadata.name === name)!;
      let computed = 0;
      const published = loaded.set.integrations.map((o) => ({ name: o.manifest.metadata.name, version: 'x', artifactHash: `sha256:${'0'.repeat(64)}`, system: o.manifest.spec.system, catalog: {}, requires: {}, connection: o.manifest.spec.connection, commit: 'c' }));
      await heldIntegrationNames(loaded.set, environment, fsRepository(repo), published, new Map(), {
        get: (key) => contents.identities.get(key),
        set: (key, identity) => {
          computed++;
          contents.identities.set(key, identity);
        },
      });
      await contents.save();
      return computed;
    };
    const dev = await computedFor('dev');
    const prod = await computedFor('prod');
    // The two pin dependencies differently (examples/environments): their hashes are their own.
    expect(dev).toBeGreaterThan(0);
    expect(prod).toBeGreaterThan(0);
    expect(await computedFor('dev')).toBe(0);
    expect(await computedFor('prod')).toBe(0);
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

  describe('with stamps: files last changed long enough ago are not read at all', () => {
    /** A reader whose clock runs a minute ahead: every file of the repository, just written, counts as settled. */
    const settled = () => fsRepository(repo, { now: () => Date.now() + 60_000 });
    const stampedLoad = async () => {
      const contents = openDiskManifestCache(cacheDir);
      const loaded = await loadAndValidate(settled(), undefined, { contents });
      await contents.save();
      return loaded;
    };
    const files = () => readdirSync(cacheDir).filter((f) => f.startsWith('manifests-')).sort();

    it('reads only the files whose stamp changed, and loads what a load without the cache loads', async () => {
      const first = await stampedLoad();
      expect(first.stats.read).toBe(first.stats.files);
      const second = await stampedLoad();
      expect(second.stats).toMatchObject({ read: 0, parsed: 0 });
      expect(said(second)).toEqual(await uncached());

      const path = join(repo, integrationAt(SHAPE, 3).file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^( *)- Get$/m, '$1- Search'));
      const third = await stampedLoad();
      expect(third.stats).toMatchObject({ read: 1, parsed: 1 });
      expect(said(third)).toEqual(await uncached());
      // A file with a problem is never kept: read (and its problem found) every time.
      expect(third.problems.some((p) => p.file === integrationAt(SHAPE, 3).file)).toBe(true);
      expect((await stampedLoad()).stats).toMatchObject({ read: 1, parsed: 1 });

      writeFileSync(path, `${readFileSync(path, 'utf8').replace(/^( *)- Search$/m, '$1- Get')}# reviewed\n`);
      const fixed = await stampedLoad();
      expect(fixed.stats).toMatchObject({ read: 1, parsed: 1 });
      expect(said(fixed)).toEqual(await uncached());
      expect((await stampedLoad()).stats).toMatchObject({ read: 0, parsed: 0 });
    });

    it('reads a file changed within the last two seconds every time: a change within its clock tick could keep the stamp', async () => {
      await stampedLoad();
      const path = join(repo, integrationAt(SHAPE, 3).file);
      // Same size, same modification time put back: only the change time, and the rule, catch it.
      const before = statSync(path);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^( *)- Get$/m, '$1- Gat'));
      utimesSync(path, before.atime, before.mtime);
      const changed = await loadAndValidate(fsRepository(repo), undefined, { contents: openDiskManifestCache(cacheDir) });
      expect(changed.stats.read).toBe(changed.stats.files);
      expect(changed.errors.some((p) => p.file === integrationAt(SHAPE, 3).file)).toBe(true);
      expect(said(changed)).toEqual(await uncached());
    });

    it('points problems at the lines of files it did not read, reading them then', async () => {
      await stampedLoad();
      for (const file of readdirSync(join(repo, 'connections'))) unlinkSync(join(repo, 'connections', file));
      const loaded = await stampedLoad();
      expect(loaded.stats.read).toBe(0);
      expect(loaded.errors.some((p) => p.reason === 'DanglingReference')).toBe(true);
      expect(said(loaded)).toEqual(await uncached());
    });

    it('appends what a run added to a journal, passes over a damaged line, and writes a new base once the journal has grown', async () => {
      await stampedLoad();
      const [base] = files();
      const baseText = readFileSync(join(cacheDir, base!), 'utf8');
      const path = join(repo, integrationAt(SHAPE, 3).file);
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, `${text}# one\n`);
      expect((await stampedLoad()).stats.parsed).toBe(1);
      // The base is as it was; the journal next to it holds the changed file.
      const [, journal] = [files().find((f) => f.endsWith('.json')), files().find((f) => f.endsWith('.log'))];
      expect(readFileSync(join(cacheDir, base!), 'utf8')).toBe(baseText);
      expect(journal).toBeDefined();
      expect((await stampedLoad()).stats).toMatchObject({ read: 0, parsed: 0 });

      // A line damaged (one character of the changed file's entry): that entry is passed over, the file parsed again.
      const journalPath = join(cacheDir, journal!);
      const lines = readFileSync(journalPath, 'utf8');
      writeFileSync(journalPath, lines.replace('"name":"', '"name":"x'));
      const again = await stampedLoad();
      expect(again.stats.parsed).toBe(1);
      expect(said(again)).toEqual(await uncached());

      // Changes until the journal is half the base: then one base again, and no journal of an older one.
      for (let i = 0; files().some((f) => f.endsWith('.log')) && i < 200; i++) {
        writeFileSync(path, `${text}# change ${i}\n`);
        await stampedLoad();
      }
      expect(files()).toHaveLength(1);
      expect(readFileSync(join(cacheDir, files()[0]!), 'utf8')).not.toBe(baseText);
      expect((await stampedLoad()).stats).toMatchObject({ read: 0, parsed: 0 });
      expect(said(await stampedLoad())).toEqual(await uncached());
    });

    it('writes a new base instead of a journal when a run adds more than an eighth of the entries: a first plan after an apply adds every content hash', async () => {
      await stampedLoad();
      const [base] = files();
      const baseText = readFileSync(join(cacheDir, base!), 'utf8');
      const identity = { hash: `sha256:${'1'.repeat(64)}`, requires: {} };
      /** A run that finds a content hash for each of the first `count` integrations. */
      const hashing = async (count: number) => {
        const contents = openDiskManifestCache(cacheDir);
        const loaded = await loadAndValidate(settled(), undefined, { contents });
        for (const object of loaded.set.integrations.slice(0, count)) {
          const key = { manifest: object.contentKey!, inputs: 'dev' };
          if (!contents.identities.get(key)) contents.identities.set(key, identity);
        }
        await contents.save();
      };
      await hashing(SHAPE.integrations);
      expect(files()).toHaveLength(1);
      expect(readFileSync(join(cacheDir, files()[0]!), 'utf8')).not.toBe(baseText);
      // A few added: appended to a journal as before; all of them found the next time.
      const path = join(repo, integrationAt(SHAPE, 3).file);
      writeFileSync(path, `${readFileSync(path, 'utf8')}# one\n`);
      await hashing(SHAPE.integrations);
      expect(files().filter((f) => f.endsWith('.log'))).toHaveLength(1);
      const contents = openDiskManifestCache(cacheDir);
      const loaded = await loadAndValidate(settled(), undefined, { contents });
      expect(loaded.stats).toMatchObject({ read: 0, parsed: 0 });
      expect(loaded.set.integrations.every((o) => contents.identities.get({ manifest: o.contentKey!, inputs: 'dev' })?.hash === identity.hash)).toBe(true);
    });

    it('keeps what concurrent runs add, whichever saves last', async () => {
      await stampedLoad();
      const [a, b] = [integrationAt(SHAPE, 3).file, integrationAt(SHAPE, 6).file].map((f) => join(repo, f));
      writeFileSync(a!, `${readFileSync(a!, 'utf8')}# a\n`);
      writeFileSync(b!, `${readFileSync(b!, 'utf8')}# b\n`);
      const [first, second] = [openDiskManifestCache(cacheDir), openDiskManifestCache(cacheDir)];
      await loadAndValidate(settled(), undefined, { contents: first });
      await loadAndValidate(settled(), undefined, { contents: second });
      await Promise.all([first.save(), second.save()]);
      const next = await stampedLoad();
      expect(next.stats).toMatchObject({ read: 0, parsed: 0 });
      expect(said(next)).toEqual(await uncached());
    });
  });

  it('gives back text outside ASCII as it was written, from a base kept in ASCII', async () => {
    const path = join(repo, integrationAt(SHAPE, 3).file);
    // Accents, a character outside the Basic Multilingual Plane (a surrogate pair) and U+2028.
    const description = 'Café für Zürich ☕ 𝄞 done\u2028next';
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(/^( {2}description: ).*$/m, `$1${JSON.stringify(description)}`));
    expect(readFileSync(path, 'utf8')).not.toBe(text);
    expect((await uncached()).problems).toEqual([]);
    await cachedLoad();
    const [name] = readdirSync(cacheDir).filter((f) => f.startsWith('manifests-'));
    expect(/[\u0080-\u00ff]/.test(readFileSync(join(cacheDir, name!), 'latin1'))).toBe(false);
    const second = await cachedLoad();
    expect(second.stats.parsed).toBe(0);
    expect(said(second)).toEqual(await uncached());
    expect(second.set.integrations.find((o) => o.file === integrationAt(SHAPE, 3).file)?.manifest.spec.description).toBe(description);
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
