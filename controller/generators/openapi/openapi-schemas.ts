import { openapiSchemaToJsonSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import type { Options } from '@openapi-contrib/openapi-schema-to-json-schema/dist/openapi-schema-types.js';
import type { JsonSchema } from '../../core/catalog.ts';
import { pascalCase, uniqueNames } from '../naming.ts';
import type { SpecProblem } from '../generator.ts';
import { discriminatorValues, keptAsIs, SCHEMA_MANY, SCHEMA_MAP, SCHEMA_ONE, toDraft07 } from './draft07-keywords.ts';

const COMPONENT_PREFIX = '#/components/schemas/';
const MAX_INLINE_DEPTH = 64;
const toJsonSchema = openapiSchemaToJsonSchema as unknown as (schema: object, options: Options) => JsonSchema;
const LIBRARY_OPTIONS: Options = {
  cloneSchema: false,
  strictMode: false,
  keepNotSupported: ['readOnly', 'writeOnly', 'deprecated', 'discriminator'],
  beforeTransform: (schema) => nullableWithoutType(schema as Record<string, unknown>) as never,
};

/**
 * Turns OpenAPI schema objects into JSON Schema (draft-07) for the catalog. OpenAPI 3.0's own
 * keywords are translated by @openapi-contrib/openapi-schema-to-json-schema; OpenAPI 3.1 schemas
 * are JSON Schema 2020-12 already, and only the keywords draft-07 spells differently change
 * (draft07-keywords.ts). Component schemas become named definitions, referenced with
 * `#/definitions/Name`; names are given to every component up front, in sorted order, so a
 * definition's name never depends on which action used it first. Only components that something
 * selected refers to are converted. Other local references are inlined; external references are
 * problems, never followed. A `discriminator` tags each branch with the values that select it,
 * so open branches no longer match together and the declarations type it as literals; an
 * `allOf` whose parts define one property twice is merged, the later (more specific) part winning.
 */
export class SchemaConverter {
  readonly definitions = new Map<string, JsonSchema>();
  readonly problems: SpecProblem[] = [];
  /** What was read in a way the document may not mean: a `schema: null` read as no schema. */
  readonly warnings: SpecProblem[] = [];
  private readonly names = new Map<string, string>();
  private readonly inlining = new Set<string>();

  constructor(private readonly document: Record<string, unknown>, reserved: Set<string>, private readonly nullableKeyword: boolean) {
    const components = ((document.components as Record<string, unknown> | undefined)?.schemas ?? {}) as Record<string, unknown>;
    const keys = Object.keys(components).sort();
    const names = uniqueNames(keys.map((k) => pascalCase(k)), reserved);
    for (const [i, key] of keys.entries()) this.names.set(key, names[i]!);
  }

  /** The JSON Schema of the OpenAPI schema at `at` (a JSON pointer, for problems). */
  convert(schema: unknown, at: string, depth = 0): JsonSchema {
    if (schema === true || schema === undefined) return {};
    if (schema === false) return { not: {} };
    if (schema === null) {
      this.warnings.push({ reason: 'SpecificationInvalid', pointer: at, message: 'schema is null; read as no schema (any value)' });
      return {};
    }
    if (typeof schema !== 'object' || Array.isArray(schema)) {
      this.problems.push({ reason: 'SpecificationInvalid', pointer: at, message: 'a schema must be an object' });
      return {};
    }
    if (depth > MAX_INLINE_DEPTH) return {};
    const node = schema as Record<string, unknown>;
    if (typeof node.$ref === 'string') return this.reference(node.$ref, `${at}/$ref`, depth);
    if (this.hasConflictingAllOf(node)) return this.mergedAllOf(node, at, depth);
    const translated = this.nullableKeyword ? toJsonSchema(structuredClone(node), LIBRARY_OPTIONS) : (structuredClone(node) as JsonSchema);
    delete translated.$schema;
    return this.finish(translated, at, depth);
  }

  /** The nested schemas of a translated node converted in turn, its own keywords in draft-07 terms. */
  private finish(node: JsonSchema, at: string, depth: number): JsonSchema {
    if (typeof node.$ref === 'string') return this.reference(node.$ref, `${at}/$ref`, depth);
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (!keptAsIs(key)) continue;
      const where = `${at}/${escape(key)}`;
      if (key === 'items') out.items = Array.isArray(value) ? value.map((v, i) => this.nested(v, `${where}/${i}`, depth)) : this.nested(value, where, depth);
      else if ((SCHEMA_ONE as readonly string[]).includes(key)) out[key] = typeof value === 'boolean' ? value : this.nested(value, where, depth);
      else if ((SCHEMA_MANY as readonly string[]).includes(key) && Array.isArray(value)) out[key] = value.map((v, i) => this.nested(v, `${where}/${i}`, depth));
      else if ((SCHEMA_MAP as readonly string[]).includes(key) && value !== null && typeof value === 'object') {
        const map: Record<string, JsonSchema> = {};
        for (const [name, inner] of Object.entries(value)) map[name] = this.nested(inner, `${where}/${escape(name)}`, depth);
        out[key] = map;
      } else out[key] = value;
    }
    this.tagDiscriminated(node, out);
    return toDraft07(out);
  }

  /** A nested schema of a node already translated: references are followed, everything else finished. */
  private nested(value: unknown, at: string, depth: number): JsonSchema {
    if (value === true || value === undefined) return {};
    if (value === false) return { not: {} };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.convert(value, at, depth + 1);
    if (depth + 1 > MAX_INLINE_DEPTH) return {};
    const node = value as JsonSchema;
    if (typeof node.$ref === 'string') return this.reference(node.$ref, `${at}/$ref`, depth + 1);
    return this.finish(node, at, depth + 1);
  }

  /**
   * OpenAPI's `discriminator` over a `oneOf`/`anyOf` of component references: each branch becomes
   * `{ allOf: [branch, { properties: { <property>: { enum: <its values> } }, required: [<property>] }] }`,
   * so exactly the branch the value names matches, and TypeScript sees a union discriminated by
   * literals. A discriminator whose branches cannot be told apart is left out.
   */
  private tagDiscriminated(source: JsonSchema, out: JsonSchema): void {
    const discriminator = source.discriminator as Record<string, unknown> | undefined;
    if (!discriminator || typeof discriminator.propertyName !== 'string') return;
    const property = discriminator.propertyName;
    const mapping = (discriminator.mapping ?? {}) as Record<string, unknown>;
    for (const keyword of ['oneOf', 'anyOf'] as const) {
      const branches = source[keyword];
      if (!Array.isArray(branches) || !Array.isArray(out[keyword])) continue;
      const values = discriminatorValues(branches, mapping, COMPONENT_PREFIX);
      if (!values) continue;
      out[keyword] = (out[keyword] as JsonSchema[]).map((branch, i) => ({ allOf: [branch, { type: 'object', properties: { [property]: { enum: values[i] } }, required: [property] }] }));
    }
  }

  /** Whether two parts of an `allOf` define the same property: then they are merged rather than all required. */
  private hasConflictingAllOf(node: Record<string, unknown>): boolean {
    if (!Array.isArray(node.allOf) || node.allOf.length < 2) return false;
    const seen = new Set<string>();
    for (const part of node.allOf) {
      const shape = this.objectShape(part, '');
      for (const p of shape?.properties ?? []) {
        if (seen.has(p.name)) return true;
        seen.add(p.name);
      }
    }
    return false;
  }

  /** An `allOf` of object schemas as one object: every property once, the later definition winning. */
  private mergedAllOf(node: Record<string, unknown>, at: string, depth: number): JsonSchema {
    const shape = this.objectShape(node, at)!;
    const properties: Record<string, JsonSchema> = {};
    for (const p of shape.properties) properties[p.name] = this.convert(p.schema, p.at, depth + 1);
    const required = [...shape.required].filter((r) => r in properties).sort();
    const out: JsonSchema = {
      type: 'object',
      ...(typeof node.description === 'string' ? { description: node.description } : {}),
      properties,
      ...(required.length > 0 ? { required } : {}),
    };
    return this.nullableKeyword && node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
  }

  /**
   * The properties and required list of an object schema, following references and allOf; where
   * two parts of an allOf define a property, the later (more specific) one wins.
   */
  objectShape(schema: unknown, at: string): { properties: Array<{ name: string; schema: unknown; at: string }>; required: Set<string> } | undefined {
    const properties = new Map<string, { name: string; schema: unknown; at: string }>();
    const required = new Set<string>();
    let found = false;
    const visit = (node: unknown, where: string, depth: number): void => {
      if (depth > 32 || node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (typeof n.$ref === 'string') {
        const target = this.resolve(n.$ref);
        if (target !== undefined) visit(target.value, target.at, depth + 1);
        return;
      }
      if (n.properties && typeof n.properties === 'object') {
        found = true;
        for (const [name, prop] of Object.entries(n.properties as Record<string, unknown>)) {
          properties.set(name, { name, schema: prop, at: `${where}/properties/${escape(name)}` });
        }
      }
      if (Array.isArray(n.required)) for (const r of n.required) required.add(String(r));
      if (Array.isArray(n.allOf)) n.allOf.forEach((part, i) => visit(part, `${where}/allOf/${i}`, depth + 1));
    };
    visit(schema, at, 0);
    return found ? { properties: [...properties.values()], required } : undefined;
  }

  /** Follows a local reference to its value; undefined (and a problem) when it cannot. */
  resolve(ref: string, at = ''): { value: unknown; at: string } | undefined {
    if (!ref.startsWith('#')) {
      this.problems.push({ reason: 'SpecificationInvalid', pointer: at, message: `$ref ${ref} points outside the document; bundle the specification into one file` });
      return undefined;
    }
    let node: unknown = this.document;
    const path = ref.slice(1);
    for (const raw of path.split('/').slice(1)) {
      const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (node === null || typeof node !== 'object' || !(segment in (node as object))) {
        this.problems.push({ reason: 'SpecificationInvalid', pointer: at, message: `$ref ${ref} points at nothing in the document` });
        return undefined;
      }
      node = (node as Record<string, unknown>)[segment];
    }
    return { value: node, at: path };
  }

  private reference(ref: string, at: string, depth: number): JsonSchema {
    if (ref.startsWith(COMPONENT_PREFIX) && !ref.slice(COMPONENT_PREFIX.length).includes('/')) {
      const key = decodeURIComponent(ref.slice(COMPONENT_PREFIX.length)).replace(/~1/g, '/').replace(/~0/g, '~');
      const name = this.names.get(key);
      if (name === undefined) {
        this.problems.push({ reason: 'SpecificationInvalid', pointer: at, message: `$ref ${ref} points at nothing in the document` });
        return {};
      }
      if (!this.definitions.has(name)) {
        this.definitions.set(name, {});
        const target = this.resolve(ref, at);
        this.definitions.set(name, target ? this.convert(target.value, target.at, 0) : {});
      }
      return { $ref: `#/definitions/${name}` };
    }
    if (this.inlining.has(ref)) return {};
    const target = this.resolve(ref, at);
    if (!target) return {};
    this.inlining.add(ref);
    const out = this.convert(target.value, target.at, depth + 1);
    this.inlining.delete(ref);
    return out;
  }
}

/**
 * OpenAPI 3.0's `nullable: true` on a schema without a `type` (a reference, an `allOf`): the
 * converter only reads it beside a type, so it becomes "this, or null" here.
 */
function nullableWithoutType(schema: Record<string, unknown>): Record<string, unknown> {
  if (schema.nullable !== true || 'type' in schema) return schema;
  const { nullable: _nullable, ...rest } = schema;
  return { anyOf: [rest, { type: 'null' }] };
}

export function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
