import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const CRDS = join(import.meta.dirname, '..', '..', 'crds');
const files = (await readdir(CRDS)).filter((n) => n.endsWith('.yaml')).sort();
const crds = await Promise.all(files.map(async (file) => ({ file, crd: parse(await readFile(join(CRDS, file), 'utf8')) })));

type Schema = Record<string, unknown>;

/**
 * The rules of a structural schema that Kubernetes enforces on apiextensions.k8s.io/v1: every
 * node has a type, no $ref, metadata restricted to a bare object, no `additionalProperties: false`
 * beside `properties`, list-map keys required.
 */
function structuralViolations(schema: Schema, path: string, out: string[]): string[] {
  if (schema.$ref !== undefined) out.push(`${path}: $ref is not allowed`);
  if (schema.type === undefined && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) out.push(`${path}: type is required`);
  if (schema.properties && schema.additionalProperties !== undefined) out.push(`${path}: properties and additionalProperties together`);
  if (schema['x-kubernetes-list-type'] === 'map') {
    const items = schema.items as Schema;
    for (const key of schema['x-kubernetes-list-map-keys'] as string[]) {
      if (!(items.required as string[] | undefined)?.includes(key)) out.push(`${path}: list-map key ${key} must be required`);
    }
  }
  for (const [name, child] of Object.entries((schema.properties as Record<string, Schema>) ?? {})) structuralViolations(child, `${path}.${name}`, out);
  if (schema.items) structuralViolations(schema.items as Schema, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') structuralViolations(schema.additionalProperties as Schema, `${path}{}`, out);
  return out;
}

describe('CustomResourceDefinitions', () => {
  it('define Integration, Connection and Environment in one group', () => {
    expect(crds.map(({ crd }) => crd.spec.names.kind).sort()).toEqual(['Connection', 'Environment', 'Integration']);
    for (const { crd } of crds) {
      expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
      expect(crd.spec.group).toBe('intctl.dev');
      expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.intctl.dev`);
    }
  });

  it.each(crds)('$file has one served storage version v1alpha1 with a status subresource and printer columns', ({ crd }) => {
    expect(crd.spec.versions).toHaveLength(1);
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    expect(version.additionalPrinterColumns.map((c: Schema) => c.name)).toContain('Ready');
  });

  it.each(crds)('$file has a structural schema', ({ crd }) => {
    const schema = crd.spec.versions[0].schema.openAPIV3Schema as Schema;
    expect(structuralViolations(schema, 'openAPIV3Schema', [])).toEqual([]);
    expect((schema.properties as Record<string, Schema>).metadata).toEqual({ type: 'object' });
  });
});
