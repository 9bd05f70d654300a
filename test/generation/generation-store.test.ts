import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiskGenerationStore } from '../../controller/artifact/disk-generation-store.ts';
import { createGenerationCache } from '../../controller/artifact/generation-cache.ts';
import { PLACEHOLDER_NAME, type SharedGeneration } from '../../controller/artifact/shared-generation.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'intctl-generations-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const key = (n: number): string => `sha256:${String(n).padStart(64, '0')}`;

function generation(text: string): SharedGeneration {
  const catalog = {
    integration: PLACEHOLDER_NAME,
    system: 'openapi' as const,
    generator: { system: 'openapi' as const, version: '1.0.0' },
    specification: { path: 'specs/a.yaml', format: 'OpenAPI 3.0' },
    entities: [],
    actions: [],
    definitions: { Thing: { type: 'object', description: text, minimum: -0 } },
  };
  return { catalog, declarations: [`/* ${text} */ The actions of integration `, ', by name.\n'] };
}

const entries = async () => (await readdir(join(dir, 'generations-v1'))).filter((n) => !n.startsWith('.'));

describe('the disk store of shared generations', () => {
  it('gives back what was written, to another process (a new store over the same directory)', async () => {
    await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).write(key(1), generation('one'));
    const read = await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).read(key(1));
    expect(read).toEqual(JSON.parse(JSON.stringify(generation('one'))));
    expect(await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).read(key(2))).toBeUndefined();
  });

  it('keeps the warnings of the specification with the generation, so a cache hit shows them too', async () => {
    const warned: SharedGeneration = { ...generation('warned'), warnings: [{ reason: 'NullSchema', pointer: '/paths/~1a/get/responses/200', message: 'schema: null is read as no schema' }] };
    await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).write(key(3), warned);
    expect((await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).read(key(3)))?.warnings).toEqual(warned.warnings);
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length - 10)],
    ['one byte changed', (text: string) => text.replace('one', 'onf')],
    ['empty', () => ''],
    ['another key inside', (text: string) => text],
  ])('ignores an entry that is %s, and the next generation rewrites it', async (what, damage) => {
    const store = createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 });
    await store.write(key(1), generation('one'));
    const [file] = await entries();
    const path = join(dir, 'generations-v1', file!);
    if (what === 'another key inside') {
      await store.write(key(2), generation('two'));
      await writeFile(path, await readFile(join(dir, 'generations-v1', `${key(2).slice(7)}.json`)));
    } else {
      await writeFile(path, damage(await readFile(path, 'utf8')));
    }
    expect(await store.read(key(1))).toBeUndefined();

    const cache = createGenerationCache({ store });
    const made = await cache.obtain(key(1), async () => generation('one'));
    expect([made?.declarations, cache.generated]).toEqual([generation('one').declarations, 1]);
    expect(await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).read(key(1))).toBeDefined();
  });

  it('keeps whole entries when runs write the same key at once, and leaves no temporary file', async () => {
    const stores = Array.from({ length: 8 }, () => createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }));
    await Promise.all(stores.map((s, i) => s.write(key(1), generation(i % 2 === 0 ? 'even' : 'odd'))));
    expect(await readdir(join(dir, 'generations-v1'))).toEqual([`${key(1).slice(7)}.json`]);
    expect(['even', 'odd']).toContain((await stores[0]!.read(key(1)))?.catalog.definitions.Thing!.description);
  });

  it('removes the least recently used entries past its bound, counting a read as a use', async () => {
    const size = (await (async () => {
      await createDiskGenerationStore({ directory: dir, maxBytes: 1 << 20 }).write(key(0), generation('x'));
      return (await stat(join(dir, 'generations-v1', `${key(0).slice(7)}.json`))).size;
    })());
    await rm(join(dir, 'generations-v1'), { recursive: true });
    const store = createDiskGenerationStore({ directory: dir, maxBytes: size * 3 + 1 });
    const path = (n: number) => join(dir, 'generations-v1', `${key(n).slice(7)}.json`);
    for (const n of [1, 2, 3]) {
      await store.write(key(n), generation('x'));
      // Written one after the other, an hour apart: mtimes say the order, not the clock's resolution.
      await utimes(path(n), new Date(Date.UTC(2020, 0, 1, n)), new Date(Date.UTC(2020, 0, 1, n)));
    }
    expect(await store.read(key(1))).toBeDefined(); // now the most recently used
    await store.write(key(4), generation('x'));
    const kept = await entries();
    // The oldest use (2) goes first; the one just read (1) and the one just written (4) stay; the total is within the bound.
    expect(kept).not.toContain(`${key(2).slice(7)}.json`);
    expect(kept).toEqual(expect.arrayContaining([1, 4].map((n) => `${key(n).slice(7)}.json`)));
    expect(kept.length * size).toBeLessThanOrEqual(size * 3 + 1);
  });

  it('generates a key once however many ask at once, and again after a generator threw', async () => {
    const cache = createGenerationCache();
    let calls = 0;
    const make = async () => {
      calls++;
      return generation('one');
    };
    await Promise.all(Array.from({ length: 10 }, () => cache.obtain(key(1), make)));
    expect([calls, cache.generated]).toEqual([1, 1]);
    await expect(cache.obtain(key(2), async () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(await cache.obtain(key(2), make)).toBeDefined();
    expect(cache.generated).toBe(3);
  });
});
