/**
 * The JSON Schema keywords of a converted OpenAPI schema as the catalog's draft-07 needs them.
 * @openapi-contrib/openapi-schema-to-json-schema translates OpenAPI 3.0's own keywords (nullable,
 * formats, the keywords JSON Schema does not have) into draft-04; this file does the rest, one
 * node at a time: draft-04's boolean exclusive bounds, enums with repeated values, the 2020-12
 * keywords of OpenAPI 3.1 that draft-07 spells differently, and what is annotation only.
 */
import type { JsonSchema } from '../../core/catalog.ts';
import { canonicalJson } from '../../core/canonical-json.ts';

/** Keywords that hold one schema. */
export const SCHEMA_ONE = ['not', 'additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'if', 'then', 'else'] as const;
/** Keywords that hold a list of schemas. */
export const SCHEMA_MANY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords that hold a map of schemas. */
export const SCHEMA_MAP = ['properties', 'patternProperties', 'dependentSchemas'] as const;

/**
 * Keywords left out of the catalog: annotations for people and documentation tools (the catalog
 * has its own names, so `title` would rename types in the declarations), identifiers and embedded
 * definitions (references to them are inlined), and 2020-12 keywords draft-07 has no form for
 * (leaving them out only makes a schema accept more).
 */
const DROPPED = new Set([
  'title', 'example', 'examples', 'xml', 'externalDocs', 'discriminator', 'nullable', '$schema', '$id', '$anchor', '$dynamicAnchor',
  '$comment', '$defs', 'definitions', '$vocabulary', 'unevaluatedProperties', 'unevaluatedItems', 'contentSchema', '$dynamicRef',
]);

/** Whether a keyword of a schema object is carried over as it is (after the nested schemas are converted). */
export function keptAsIs(key: string): boolean {
  return !DROPPED.has(key) && !key.startsWith('x-');
}

/**
 * The plain keywords of one node in draft-07 terms: boolean `exclusiveMinimum`/`Maximum` (OpenAPI
 * 3.0, draft-04) become the number they exclude, repeated enum values are kept once (Ajv refuses
 * a repeated value, and a repeat adds nothing), `required` is sorted and kept once, and 2020-12's
 * `dependentRequired` is draft-07's `dependencies`.
 */
export function toDraft07(node: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...node };
  for (const [bound, exclusive] of [['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum']] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
  if (Array.isArray(out.enum)) out.enum = unique(out.enum);
  if (Array.isArray(out.type)) out.type = unique(out.type);
  if (Array.isArray(out.required)) out.required = [...new Set(out.required.map(String))].sort();
  const dependentRequired = out.dependentRequired;
  delete out.dependentRequired;
  const dependentSchemas = out.dependentSchemas;
  delete out.dependentSchemas;
  if (isRecord(dependentRequired) || isRecord(dependentSchemas)) {
    out.dependencies = { ...(isRecord(dependentRequired) ? dependentRequired : {}), ...(isRecord(dependentSchemas) ? dependentSchemas : {}) };
  }
  if (Array.isArray(out.prefixItems)) {
    const rest = out.items;
    out.items = out.prefixItems;
    delete out.prefixItems;
    if (rest !== undefined) out.additionalItems = rest;
  }
  return out;
}

/** Values kept once each, first occurrence first; equal by canonical JSON. */
function unique(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const value of values) {
    const key = canonicalJson(value);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The discriminator values that select each branch of a `oneOf`/`anyOf` (OpenAPI's
 * `discriminator`): the `mapping` keys that name the branch's reference (or its component name),
 * else the component name itself. Undefined when a branch is not a reference to a component, or
 * two branches share a value: then the discriminator cannot tell them apart and is left out.
 */
export function discriminatorValues(branches: unknown[], mapping: Record<string, unknown>, componentPrefix: string): string[][] | undefined {
  const out: string[][] = [];
  const taken = new Set<string>();
  for (const branch of branches) {
    const ref = isRecord(branch) && typeof branch.$ref === 'string' ? branch.$ref : undefined;
    if (ref === undefined || !ref.startsWith(componentPrefix)) return undefined;
    const name = decodeURIComponent(ref.slice(componentPrefix.length)).replace(/~1/g, '/').replace(/~0/g, '~');
    const mapped = Object.keys(mapping).filter((k) => mapping[k] === ref || mapping[k] === name).sort();
    const values = mapped.length > 0 ? mapped : [name];
    if (values.some((v) => taken.has(v))) return undefined;
    for (const v of values) taken.add(v);
    out.push(values);
  }
  return out;
}
