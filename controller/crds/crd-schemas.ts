/**
 * Turns the CustomResourceDefinitions in `crds/` into the JSON Schemas the loader validates
 * manifests with, and into the input of the type generator. Pure: it takes parsed CRDs and
 * returns new objects.
 */

export const API_GROUP = 'intctl.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const KINDS = ['Integration', 'Connection', 'Environment'] as const;
export type Kind = (typeof KINDS)[number];

export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

export type JsonSchema = { [key: string]: unknown };

interface CrdDocument {
  kind?: unknown;
  spec?: {
    group?: unknown;
    names?: { kind?: unknown };
    versions?: Array<{ name?: unknown; schema?: { openAPIV3Schema?: JsonSchema } }>;
  };
}

/**
 * The part of Kubernetes ObjectMeta a manifest in Git may carry. The API server validates
 * metadata itself (a CRD may not describe it), so the loader supplies this schema.
 */
export const OBJECT_META_SCHEMA: JsonSchema = {
  title: 'ObjectMeta',
  type: 'object',
  required: ['name'],
  properties: {
    name: {
      description: 'The name of the object, unique per kind: lower-case letters, digits and dashes.',
      type: 'string',
      minLength: 1,
      maxLength: 63,
      pattern: NAME_PATTERN,
    },
    namespace: { type: 'string', maxLength: 63, pattern: NAME_PATTERN },
    labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
    annotations: { type: 'object', additionalProperties: { type: 'string', maxLength: 262144 } },
  },
};

/** Finds the `v1alpha1` openAPIV3Schema of each of our kinds among parsed CRD documents. */
export function crdSchemasByKind(crds: unknown[]): Record<Kind, JsonSchema> {
  const found: Partial<Record<Kind, JsonSchema>> = {};
  for (const doc of crds as CrdDocument[]) {
    if (doc?.kind !== 'CustomResourceDefinition' || doc.spec?.group !== API_GROUP) continue;
    const kind = doc.spec.names?.kind as Kind;
    if (!KINDS.includes(kind)) continue;
    const version = doc.spec.versions?.find((v) => v.name === API_VERSION);
    const schema = version?.schema?.openAPIV3Schema;
    if (!schema) throw new Error(`CRD of ${kind} has no ${API_VERSION} openAPIV3Schema`);
    found[kind] = schema;
  }
  for (const kind of KINDS) {
    if (!found[kind]) throw new Error(`no CustomResourceDefinition for ${kind} in group ${API_GROUP}`);
  }
  return found as Record<Kind, JsonSchema>;
}

/**
 * The schema a manifest in Git is validated against: the CRD's schema with our ObjectMeta, and
 * unknown fields refused everywhere (`additionalProperties: false` wherever `properties` is
 * given), as `kubectl apply --validate=strict` refuses them. Kubernetes prunes unknown fields
 * silently; in a reviewed repository a misspelt field must be an error instead.
 */
export function strictManifestSchema(crdSchema: JsonSchema): JsonSchema {
  const schema = closeObjects(structuredClone(crdSchema)) as JsonSchema;
  const properties = schema.properties as Record<string, JsonSchema>;
  properties.metadata = closeObjects(structuredClone(OBJECT_META_SCHEMA)) as JsonSchema;
  return schema;
}

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as JsonSchema;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      const properties = value as Record<string, unknown>;
      for (const name of Object.keys(properties)) properties[name] = closeObjects(properties[name]);
    } else if (typeof value === 'object' && value !== null && key !== 'enum' && key !== 'default') {
      schema[key] = closeObjects(value);
    }
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  return schema;
}

/**
 * Hoists every titled sub-schema into `$defs` and replaces its occurrences with a `$ref`, so that
 * the type generator emits one named type per title (`SecretValue`, `Condition`) however often
 * the CRD repeats it inline (structural schemas cannot use `$ref`).
 */
export function hoistTitledSchemas(root: JsonSchema): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const rootTitle = root.title;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const schema: JsonSchema = {};
    for (const [key, value] of Object.entries(node as JsonSchema)) {
      if (key === 'properties') {
        schema[key] = Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, visit(v)]));
      } else if (key === 'enum' || key === 'default') {
        schema[key] = value;
      } else {
        schema[key] = visit(value);
      }
    }
    const title = schema.title;
    if (typeof title !== 'string' || title === rootTitle) return schema;
    const { description, ...shape } = schema;
    const existing = defs[title];
    if (existing && JSON.stringify(existing) !== JSON.stringify(shape)) {
      throw new Error(`two different schemas are titled ${title}`);
    }
    defs[title] = shape;
    // The description of each use stays in the CRD; a `$ref` with siblings would make a new type.
    void description;
    return { $ref: `#/$defs/${title}` };
  };
  const hoisted = visit(root) as JsonSchema;
  return { ...hoisted, $defs: defs };
}
