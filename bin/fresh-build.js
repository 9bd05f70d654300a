// Whether the ahead-of-time build in dist/ may run: it exists and is newer than every file of
// the TypeScript source it was made from. Plain JavaScript: bin/intctl.js loads it before any
// compiler.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of a file under a directory, in milliseconds. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** True when `<root>/dist/built.json` is at least as new as everything under `<root>/controller`. */
export function buildIsFresh(root) {
  try {
    return statSync(join(root, 'dist', 'built.json')).mtimeMs >= newest(join(root, 'controller'));
  } catch {
    return false;
  }
}
