// Regenerates controller/generated/ from crds/. Run with `npm run generate:types`.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderGenerated } from '../crds/render-generated.ts';

const root = new URL('../..', import.meta.url).pathname;
const names = (await readdir(join(root, 'crds'))).filter((n) => n.endsWith('.yaml')).sort();
const texts = await Promise.all(names.map((n) => readFile(join(root, 'crds', n), 'utf8')));
for (const [path, content] of Object.entries(await renderGenerated(texts))) {
  await writeFile(join(root, path), content);
  console.log(`wrote ${path}`);
}
