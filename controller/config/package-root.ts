import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The directory of intctl's package.json: where `specs/`, `crds/` and `examples/` are, whether
 * the code runs from its TypeScript source or from the ahead-of-time build in `dist/`.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'intctl') return (root = dir);
    if (dirname(dir) === dir) throw new Error(`intctl's package.json is not above ${import.meta.dirname}`);
  }
}

/** A path inside intctl's package: `packagePath('specs', 'environment-api.yaml')`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
