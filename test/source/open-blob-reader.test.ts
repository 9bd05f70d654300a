import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBlobReader, type BlobReader } from '../../controller/source/open-blob-reader.ts';
import { git, makeRepo, type Repo } from './support.ts';

let repo: Repo;
let reader: BlobReader;
const id = (path: string): string => git(repo.remote, 'rev-parse', `main:${path}`).trim();
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

beforeEach(() => {
  repo = makeRepo('intctl-blobs-');
  repo.write('a.txt', 'first file\n');
  repo.write('b.bin', '\0\n\n binary \r\n with newlines\n\n');
  repo.write('dir/c.txt', 'x'.repeat(300_000));
  repo.commit('files');
});
afterEach(async () => {
  await reader.close();
  repo.cleanup();
});

describe('openBlobReader', () => {
  it('reads many blobs at once, in any order, binary or not', async () => {
    reader = openBlobReader(repo.remote, { env: { PATH: process.env.PATH ?? '' }, cacheBytes: 0 });
    const [a, b, c, a2] = await Promise.all([reader.read(id('a.txt')), reader.read(id('b.bin')), reader.read(id('dir/c.txt')), reader.read(id('a.txt'))]);
    expect(text(a!)).toBe('first file\n');
    expect(text(b!)).toBe('\0\n\n binary \r\n with newlines\n\n');
    expect(c!.byteLength).toBe(300_000);
    expect(text(a2!)).toBe('first file\n');
    expect(reader.reads).toBe(4);
  });

  it('keeps what it read within its byte budget, and serves it again without git', async () => {
    reader = openBlobReader(repo.remote, { env: { PATH: process.env.PATH ?? '' }, cacheBytes: 1000 });
    await reader.read(id('a.txt'));
    await reader.read(id('dir/c.txt'));
    await reader.read(id('a.txt'));
    await reader.read(id('dir/c.txt'));
    // The small file is kept, the one over the budget is read each time.
    expect(reader.reads).toBe(3);
  });

  it('rejects what is not a blob of the repository, and goes on reading after', async () => {
    reader = openBlobReader(repo.remote, { env: { PATH: process.env.PATH ?? '' }, cacheBytes: 0 });
    await expect(reader.read('0'.repeat(40))).rejects.toThrow(/is not in the repository/);
    await expect(reader.read(id('dir'))).rejects.toThrow(/is a tree, not a blob/);
    await expect(reader.read('main:a.txt')).rejects.toThrow(/not an object id/);
    expect(text(await reader.read(id('a.txt')))).toBe('first file\n');
  });

  it('answers what was asked before close, and starts git again for what is asked after', async () => {
    reader = openBlobReader(repo.remote, { env: { PATH: process.env.PATH ?? '' }, cacheBytes: 0 });
    const pending = reader.read(id('dir/c.txt'));
    await reader.close();
    expect((await pending).byteLength).toBe(300_000);
    expect(text(await reader.read(id('a.txt')))).toBe('first file\n');
  });

  it('starts git again after close', async () => {
    reader = openBlobReader(repo.remote, { env: { PATH: process.env.PATH ?? '' }, cacheBytes: 0 });
    expect(text(await reader.read(id('a.txt')))).toBe('first file\n');
    await reader.close();
    expect(text(await reader.read(id('a.txt')))).toBe('first file\n');
  });
});
