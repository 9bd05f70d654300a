import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Problem } from '../../controller/core/problem.ts';
import { tooLargeMessage, UnreadableFileError, type RepositoryReader } from '../../controller/core/repository-reader.ts';
import { loadAndValidate } from '../../controller/load/load-and-validate.ts';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from '../../controller/load/parse-yaml-file.ts';
import { runCli } from '../helpers/cli.ts';
import { deadline } from '../support/time.ts';

const BASE = join(import.meta.dirname, '..', 'fixtures', 'bad-input', '_base');
const LIMITS: YamlLimits = { ...DEFAULT_YAML_LIMITS, maxFileBytes: 16 * 1024, maxSpecBytes: 64 * 1024 };
/** What the loader may never say: texts of the runtime and libraries, not of intctl. */
const INTERNAL = /Maximum call stack|is not a function|Cannot read properties|undefined is not|\[object Object\]|TypeError|RangeError/;

/** A repository in memory: the base with some files replaced. */
function memoryRepository(files: Map<string, Uint8Array>): RepositoryReader {
  return {
    async listYamlFiles() {
      return [...files].filter(([path]) => /\.ya?ml$/.test(path)).map(([path, bytes]) => ({ path, size: bytes.byteLength })).sort((a, b) => (a.path < b.path ? -1 : 1));
    },
    async read(path, options = {}) {
      const bytes = files.get(path);
      if (!bytes) throw new Error(`no ${path}`);
      if (options.maxBytes !== undefined && bytes.byteLength > options.maxBytes) throw new UnreadableFileError(path, 'TooLarge', tooLargeMessage(path, bytes.byteLength, options.maxBytes));
      return bytes;
    },
    async checkPath(path) {
      return files.has(path) ? 'file' : [...files.keys()].some((p) => p.startsWith(`${path}/`)) ? 'directory' : 'missing';
    },
  };
}

/** Text in one of the encodings editors save in. */
const encoded = (text: string) =>
  fc.constantFrom('utf8', 'utf8-bom', 'utf16le-bom', 'utf16le', 'utf16be', 'latin1').map((encoding): Uint8Array => {
    switch (encoding) {
      case 'utf8':
        return Buffer.from(text);
      case 'utf8-bom':
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
      case 'utf16le-bom':
        return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      case 'utf16le':
        return Buffer.from(text, 'utf16le');
      case 'utf16be':
        return Buffer.from(text, 'utf16le').swap16();
      default:
        return Buffer.from(text, 'latin1');
    }
  });

const nested = fc.record({ depth: fc.integer({ min: 1, max: 3000 }), open: fc.constantFrom('[', '{"a":') }).map(({ depth, open }) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

/** Manifest files: random bytes, random YAML of ours, a valid manifest in a random encoding, or broken. */
const manifestBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.concat([Buffer.from('apiVersion: intctl.dev/v1alpha1\n'), b])),
  fc.jsonValue({ maxDepth: 6 }).map((v) => `apiVersion: intctl.dev/v1alpha1\n---\n${stringify(v)}`).chain(encoded),
  fc.record({ name: fc.string({ maxLength: 20 }), kind: fc.constantFrom('Integration', 'Connection', 'Environment', 'Other'), spec: fc.jsonValue({ maxDepth: 4 }) })
    .map((m) => stringify({ apiVersion: 'intctl.dev/v1alpha1', kind: m.kind, metadata: { name: m.name }, spec: m.spec }))
    .chain(encoded),
  nested.map((deep) => `apiVersion: intctl.dev/v1alpha1\nkind: Integration\nmetadata: { name: x }\nspec: ${deep}\n`).chain(encoded),
  fc.constantFrom('a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n').map((y) => Buffer.from(`apiVersion: intctl.dev/v1alpha1\n${y}`)),
);

/** Specifications: random bytes, random JSON or YAML, an OpenAPI document with random parts, deep nesting, sizes up to past the limit. */
const specBytes = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  fc.jsonValue({ maxDepth: 8 }).chain((v) => fc.constantFrom(JSON.stringify(v), stringify(v))).chain(encoded),
  fc.record({ paths: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }), extra: fc.jsonValue({ maxDepth: 4 }) })
    .map((d) => ({ openapi: '3.0.3', info: { title: 'CRM', version: '1.0.0' }, ...d }))
    .chain((d) => fc.constantFrom(JSON.stringify(d), stringify(d), stringify(d).replace(/\n/g, '\r\n'))),
  nested.map((deep) => `openapi: 3.0.3\ninfo: { title: CRM, version: 1.0.0 }\npaths: {}\nx-deep: ${deep}\n`),
  fc.constantFrom('x: !!js/function "function () {}"\n', 'x: !Ref Other\n', '{"a": 1, "a": 2}', 'a: 1\na: 2\n').map((t) => `openapi: 3.0.3\n${t.startsWith('{') ? `x: ${t}` : t}`),
  fc.integer({ min: 1, max: 80 * 1024 }).map((size) => `openapi: 3.0.3\ninfo: { title: CRM, version: 1.0.0 }\npaths: {}\nx-big: "${'x'.repeat(size)}"\n`),
).map((b): Uint8Array => (typeof b === 'string' ? Buffer.from(b) : b));

let base: Map<string, Uint8Array>;
beforeAll(async () => {
  base = new Map();
  for (const path of ['connections.yaml', 'environments.yaml', 'integrations/crm.yaml', 'specs/crm.yaml']) base.set(path, await readFile(join(BASE, path)));
});

/** Loads within a bound, or fails the run. */
async function loadBounded(files: Map<string, Uint8Array>) {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the loader hung past its bound')), deadline(10_000));
  });
  try {
    return await Promise.race([loadAndValidate(memoryRepository(files), LIMITS), bound]);
  } finally {
    clearTimeout(timer);
  }
}

function expectLocated(problems: readonly Problem[]): void {
  for (const p of problems) {
    expect(p.file.length, JSON.stringify(p)).toBeGreaterThan(0);
    expect(p.line, JSON.stringify(p)).toBeGreaterThanOrEqual(1);
    expect(p.column, JSON.stringify(p)).toBeGreaterThanOrEqual(1);
    expect(p.message.trim().length, JSON.stringify(p)).toBeGreaterThan(0);
    expect(p.message, JSON.stringify(p)).not.toMatch(INTERNAL);
  }
}

describe('the manifest and specification loaders, fed hostile input', () => {
  it('never throw, never hang, and locate every problem, whatever a manifest file holds', async () => {
    await fc.assert(
      fc.asyncProperty(manifestBytes, fc.constantFrom('integrations/crm.yaml', 'environments.yaml', 'integrations/extra.yaml'), async (bytes, path) => {
        const files = new Map(base).set(path, bytes);
        const loaded = await loadBounded(files);
        expectLocated(loaded.problems);
      }),
      { numRuns: 150 },
    );
  });

  it('never throw, never hang, and locate every problem, whatever the specification holds', async () => {
    await fc.assert(
      fc.asyncProperty(specBytes, async (bytes) => {
        const loaded = await loadBounded(new Map(base).set('specs/crm.yaml', bytes));
        expectLocated(loaded.problems);
        for (const p of loaded.errors) expect(p).toMatchObject({ file: 'integrations/crm.yaml', field: 'spec.source.path' });
      }),
      { numRuns: 150 },
    );
  });
});

describe('apply from a hostile repository', () => {
  let work: string;
  let state: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'intctl-fuzz-apply-'));
    state = join(work, 'state');
    await cp(BASE, join(work, 'repo'), { recursive: true });
    const envs = join(work, 'repo', 'environments.yaml');
    await writeFile(envs, (await readFile(envs, 'utf8')).replace('    plainSecrets: true', '    plainSecrets: true\n    prune: true\n    maxPruneShare: 1'));
    expect((await runCli(['apply', '--repo', join(work, 'repo'), '--env', 'dev', '--state-dir', state])).code).toBe(0);
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it('applies nothing when validation finds an error', async () => {
    const repo = join(work, 'repo');
    const before = (await runCli(['get', 'integrations', '--repo', repo, '--env', 'dev', '--state-dir', state, '-o', 'json'])).stdout;
    await fc.assert(
      fc.asyncProperty(fc.oneof(manifestBytes.map((b) => ['integrations/crm.yaml', b] as const), specBytes.map((b) => ['specs/crm.yaml', b] as const)), async ([path, bytes]) => {
        const original = await readFile(join(repo, path));
        await writeFile(join(repo, path), bytes);
        try {
          const validated = await runCli(['validate', '--repo', repo, '-o', 'json']);
          if (validated.code === 0) return;
          const applied = await runCli(['apply', '--repo', repo, '--env', 'dev', '--state-dir', state]);
          expect(applied.code).not.toBe(0);
          expect((await runCli(['get', 'integrations', '--repo', repo, '--env', 'dev', '--state-dir', state, '-o', 'json'])).stdout).toBe(before);
        } finally {
          await writeFile(join(repo, path), original);
        }
      }),
      { numRuns: 25 },
    );
  });
});
