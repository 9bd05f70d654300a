import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import ts from 'typescript';
import type { ActionCatalog } from '../../controller/core/catalog.ts';
import type { EntitySelection, Integration, SystemKind } from '../../controller/generated/manifests.ts';
import { ok, type GenerateInput, type Generator, type ParseOptions, type Result, type SpecDescription } from '../../controller/generators/generator.ts';
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

/** TypeScript's default library files, parsed once for every typeCheck: they never change. */
const libraryFiles = new Map<string, ts.SourceFile | undefined>();

/**
 * TypeScript's own diagnostics for a declarations file, as `tsc --noEmit --strict` gives them.
 * The default library is parsed once and not checked itself (skipDefaultLibCheck); the file is.
 */
export function typeCheck(declarations: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'intctl-dts-'));
  try {
    const file = join(dir, 'index.d.ts');
    writeFileSync(file, declarations);
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [], lib: ['lib.es2022.d.ts'] };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, onError, create) => {
      if (name === file) return read(name, language, onError, create);
      if (!libraryFiles.has(name)) libraryFiles.set(name, read(name, language, onError, create));
      return libraryFiles.get(name);
    };
    const program = ts.createProgram([file], options, host);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a specification offers: parsed, then described, as validation does. */
export async function describeSpec<M>(generator: Generator<M>, bytes: Uint8Array, options: ParseOptions = {}): Promise<Result<SpecDescription>> {
  const model = await generator.parse(bytes, options);
  return model.ok ? ok(generator.describe(model.value)) : model;
}

/** A catalog from a specification's bytes: parsed with the integration's source options, then generated. */
export async function generateFrom<M>(generator: Generator<M>, bytes: Uint8Array, input: GenerateInput): Promise<Result<ActionCatalog>> {
  const model = await generator.parse(bytes, input.spec.source);
  return model.ok ? generator.generate(model.value, input) : model;
}

/**
 * Freezes a value and everything reachable from it (the keys and values of Maps and Sets too), so
 * that code writing to any part of it throws. Maps and Sets themselves stay writable: compare
 * `fingerprint` before and after to catch those.
 */
export function deepFreeze<T>(value: T): T {
  for (const node of objectsIn(value)) Object.freeze(node);
  return value;
}

/** Every object and array reachable from a value, through properties, Map entries and Set members. */
export function objectsIn(value: unknown): Set<object> {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof Map) for (const [k, v] of node) stack.push(k, v);
    else if (node instanceof Set) for (const v of node) stack.push(v);
    else for (const v of Object.values(node)) stack.push(v);
  }
  return seen;
}

/** A value as text, Maps and Sets included, to tell whether anything in it changed. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? { Map: [...v] } : v instanceof Set ? { Set: [...v] } : v));
}
