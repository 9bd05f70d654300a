import { describe, expect, it } from 'vitest';
import { artifactIdentity, buildArtifact, renderArtifactFiles, type BuildInput } from '../../controller/artifact/build-artifact.ts';
import { deepFreeze } from '../../controller/core/deep-freeze.ts';
import { canonicalJson } from '../../controller/core/canonical-json.ts';
import { caretRange, computeRequirements } from '../../controller/artifact/dependencies.ts';
import type { AuthType, DependencyPins, SystemKind } from '../../controller/generated/manifests.ts';
import { normalizeLineEndings } from '../../controller/core/text-encoding.ts';
import { fixture, integration } from './support.ts';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'] }, 0, '{"a":[true,null,"x"],"b":1}'],
    [{ z: undefined, y: { d: 1, c: 2 } }, 0, '{"y":{"c":2,"d":1}}'],
    [{ a: [] , b: {} }, 2, '{\n  "a": [],\n  "b": {}\n}\n'],
  ])('%j -> %j', (value, indent, text) => {
    expect(canonicalJson(value, indent)).toBe(text);
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
  });
});

describe('dependency requirements', () => {
  const runtime = ['integration-utils', 'common-shared-services', 'integration-manager'] as const;
  it.each<[string, AuthType | undefined, DependencyPins | undefined, Record<string, string>]>([
    ['defaults, no secrets', 'none', undefined, { 'integration-utils': '^2.0.0', 'common-shared-services': '^1.0.0', 'integration-manager': '^3.0.0' }],
    ['basic auth needs the secret manager', 'basic', undefined, { 'integration-utils': '^2.0.0', 'common-shared-services': '^1.0.0', 'secret-manager': '^1.0.0', 'integration-manager': '^3.0.0' }],
    ['pinned majors', 'apiKey', { 'integration-utils': '3.0.0', 'secret-manager': '2.5.1' }, { 'integration-utils': '^3.0.0', 'common-shared-services': '^1.0.0', 'secret-manager': '^2.0.0', 'integration-manager': '^3.0.0' }],
    ['0.x pins keep their minor', 'none', { 'integration-utils': '0.7.3' }, { 'integration-utils': '^0.7.0', 'common-shared-services': '^1.0.0', 'integration-manager': '^3.0.0' }],
  ])('%s', (_name, authType, pins, expected) => {
    expect(computeRequirements({ runtime, authType, pins })).toEqual(expected);
  });

  it.each([['3.2.1', '^3.0.0'], ['0.4.7', '^0.4.0'], ['0.0.3', '^0.0.3'], ['2.0.0-rc.1', '^2.0.0']])('caretRange(%s) = %s', (version, range) => {
    expect(caretRange(version)).toBe(range);
  });

  it('never asks for sharepoint-utils for OpenAPI or OData', () => {
    expect(Object.keys(computeRequirements({ runtime, authType: 'oauth2ClientCredentials', pins: undefined }))).not.toContain('sharepoint-utils');
  });
});

describe('the artifact', () => {
  const build = (pins?: DependencyPins, authType?: AuthType) =>
    buildArtifact({ integration: integration('odata', 'sales-v2.edmx'), specBytes: fixture('sales-v2.edmx'), specPath: 'sales-v2.edmx', ...(pins ? { pins } : {}), ...(authType ? { authType } : {}) });

  it('gets a new hash when the environment moves integration-utils to a new major, and keeps it for a minor', async () => {
    const [base, minor, major] = await Promise.all([build({ 'integration-utils': '3.0.0' }), build({ 'integration-utils': '3.4.1' }), build({ 'integration-utils': '4.0.0' })]);
    if (!base.ok || !minor.ok || !major.ok) throw new Error('generation failed');
    expect(base.value.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(minor.value.hash).toBe(base.value.hash);
    expect(major.value.hash).not.toBe(base.value.hash);
    expect(major.value.requires['integration-utils']).toBe('^4.0.0');
  });

  it('gets a new hash when the connection starts needing secrets', async () => {
    const [none, basic] = await Promise.all([build(undefined, 'none'), build(undefined, 'basic')]);
    if (!none.ok || !basic.ok) throw new Error('generation failed');
    expect(basic.value.hash).not.toBe(none.value.hash);
  });

  it('renders to catalog.json, index.d.ts and artifact.json, the manifest naming each file by digest', async () => {
    const built = await build();
    if (!built.ok) throw new Error('generation failed');
    const files = renderArtifactFiles(built.value);
    expect(Object.keys(files).sort()).toEqual(['artifact.json', 'catalog.json', 'index.d.ts']);
    const manifest = JSON.parse(files['artifact.json']!) as { hash: string; files: Record<string, string> };
    expect(manifest.hash).toBe(built.value.hash);
    expect(Object.keys(manifest.files).sort()).toEqual(['catalog.json', 'index.d.ts']);
    expect(files['catalog.json']).toBe(canonicalJson(JSON.parse(files['catalog.json']!), 2));
  });

  it('is an error value for a system without a generator', async () => {
    const result = await buildArtifact({ integration: integration('cobol' as SystemKind, 'x'), specBytes: new Uint8Array(), specPath: '' });
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ message: 'no generator for system cobol', field: ['spec', 'system'] })] });
  });
});

describe('a specification checked out with CRLF line endings (a Windows work tree)', () => {
  const crlf = (bytes: Uint8Array): Uint8Array => Buffer.from(Buffer.from(bytes).toString('utf8').replace(/\n/g, '\r\n'));

  it.each([
    ['odata', 'sales-v2.edmx'],
    ['openapi', 'shop-openapi.yaml'],
  ] as const)('%s %s: the same hash and the same files as with LF', async (system, file) => {
    const lf = fixture(file);
    expect(Buffer.from(crlf(lf)).includes('\r\n')).toBe(true);
    const [a, b] = await Promise.all([
      buildArtifact({ integration: integration(system, file), specBytes: lf, specPath: file }),
      buildArtifact({ integration: integration(system, file), specBytes: crlf(lf), specPath: file }),
    ]);
    if (!a.ok || !b.ok) throw new Error('generation failed');
    expect(b.value.hash).toBe(a.value.hash);
    expect(renderArtifactFiles(b.value)).toEqual(renderArtifactFiles(a.value));
  });

  it('leaves LF bytes as they are, and a lone CR alone', () => {
    const lf = fixture('shop-openapi.yaml');
    expect(normalizeLineEndings(lf)).toBe(lf);
    expect(Buffer.from(normalizeLineEndings(Buffer.from('a\r\nb\rc\r\n\r\n')))).toEqual(Buffer.from('a\nb\rc\n\n'));
  });
});

describe('artifactIdentity of a loaded (frozen) manifest', () => {
  const spec = fixture('shop-openapi.yaml');
  const input = (manifest: ReturnType<typeof integration>, extra: Partial<BuildInput> = {}): BuildInput => ({ integration: manifest, specBytes: spec, specPath: 'specs/shop.yaml', ...extra });
  const hashOf = (result: ReturnType<typeof artifactIdentity>): string => (result.ok ? result.value.hash : 'failed');

  it('is kept with the manifest, and follows its specification, auth type and pins all the same', () => {
    const frozen = deepFreeze(integration('openapi', 'specs/shop.yaml', { entities: [{ name: 'customers', operations: ['Get'] }] }));
    const first = hashOf(artifactIdentity(input(frozen)));
    expect(hashOf(artifactIdentity(input(frozen)))).toBe(first);
    expect(hashOf(artifactIdentity(input(frozen, { specBytes: new Uint8Array([...spec, 0x0a]) })))).not.toBe(first);
    expect(hashOf(artifactIdentity(input(frozen, { authType: 'basic' })))).not.toBe(first);
    expect(hashOf(artifactIdentity(input(frozen, { pins: { 'integration-utils': '3.0.0' } })))).not.toBe(first);
    expect(hashOf(artifactIdentity(input(frozen)))).toBe(first);
  });

  it('is kept for each of the environments a manifest is built for, whose pins differ', () => {
    const frozen = deepFreeze(integration('openapi', 'specs/shop.yaml', { entities: [{ name: 'customers', operations: ['Get'] }] }));
    const dev = { 'integration-utils': '3.0.0' };
    const prod = { 'integration-utils': '2.9.0' };
    const requiresFor = (pins: DependencyPins) => {
      const result = artifactIdentity(input(frozen, { pins }));
      return result.ok ? result.value.requires : undefined;
    };
    const first = requiresFor(dev);
    expect(requiresFor(prod)).not.toEqual(first);
    // dev, prod, dev, prod: each environment's identity is the one kept, not computed again.
    expect(requiresFor(dev)).toBe(first);
    expect(requiresFor(prod)).toBe(requiresFor(prod));
  });

  it('is computed afresh for a manifest that can still change', () => {
    const manifest = integration('openapi', 'specs/shop.yaml', { entities: [{ name: 'customers', operations: ['Get'] }] });
    const first = hashOf(artifactIdentity(input(manifest)));
    manifest.spec.entities![0]!.operations = ['Get', 'Search'];
    expect(hashOf(artifactIdentity(input(manifest)))).not.toBe(first);
  });
});
