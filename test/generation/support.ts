import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import ts from 'typescript';
import type { EntitySelection, Integration, SystemKind } from '../../controller/generated/manifests.ts';
import { integration as integrationManifest } from '../support/manifests.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'specs');
const require = createRequire(import.meta.url);

/** A fixture specification's bytes (gunzipped when it ends in .gz). */
export function fixture(name: string): Uint8Array {
  const bytes = readFileSync(join(FIXTURES, name));
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

/** A file shipped inside an installed npm package. */
export function packaged(pkg: string, path: string): Uint8Array {
  return readFileSync(join(require.resolve(`${pkg}/package.json`), '..', path));
}

/** An integration of `system` from the specification at `path`, bound to `conn` in dev: the fixture kit's, positionally. */
export function integration(system: SystemKind, path: string, selection: { entities?: EntitySelection[]; functions?: string[] } = {}, name = 'demo'): Integration {
  return integrationManifest({ name, system, source: { path }, connection: 'conn', environments: ['dev'], ...selection });
}

/** TypeScript's own diagnostics for a declarations file, as `tsc --noEmit --strict` gives them. */
export function typeCheck(declarations: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-dts-'));
  try {
    const file = join(dir, 'index.d.ts');
    writeFileSync(file, declarations);
    const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['lib.es2022.d.ts'] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
