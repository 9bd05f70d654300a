import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGenerated } from '../../controller/crds/render-generated.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('files generated from crds/', () => {
  it('are committed exactly as a fresh generation writes them (run npm run generate:types)', async () => {
    const names = (await readdir(join(ROOT, 'crds'))).filter((n) => n.endsWith('.yaml')).sort();
    const texts = await Promise.all(names.map((n) => readFile(join(ROOT, 'crds', n), 'utf8')));
    const fresh = await renderGenerated(texts);
    expect(Object.keys(fresh).sort()).toEqual(['controller/generated/manifests.ts', 'controller/generated/schemas.ts']);
    for (const [path, content] of Object.entries(fresh)) {
      expect(await readFile(join(ROOT, path), 'utf8'), path).toBe(content);
    }
  });
});
