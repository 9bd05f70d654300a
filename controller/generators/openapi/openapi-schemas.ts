import type { JsonSchema } from '../../core/catalog.ts';
import { pascalCase, uniqueNames } from '../naming.ts';
import type { SpecProblem } from '../generator.ts';

const COMPONENT_PREFIX = '#/components/schemas/';

/** Keywords carried over from OpenAPI schema objects into the catalog's JSON Schemas. */
const KEPT = new Set([
  'type', 'format', 'enum', 'const', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum',
  'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems',
  'maxProperties', 'minProperties', 'required', 'readOnly', 'writeOnly', 'deprecated',
]);
const NESTED_ONE = new Set(['items', 'not']);
const NESTED_MANY = new Set(['allOf', 'oneOf', 'anyOf', 'prefixItems']);
const MAX_INLINE_DEPTH = 64;

/**
 * Turns OpenAPI schema objects into JSON Schema for the catalog. Component schemas become named
 * definitions, referenced with `#/definitions/Name`; names are given to every component up front,
 * in sorted order, so a definition's name never depends on which action used it first. Only
 * components that something selected refers to are converted. Other local references are
 * inlined; external references are problems, never followed.
 */
export class SchemaConverter {
  readonly definitions = new Map<string, JsonSchema>();
  readonly problems: SpecProblem[] = [];
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
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      this.problems.push({ reason: 'SpecificationInvalid', pointer: at, message: 'a schema must be an object' });
      return {};
    }
    if (depth > MAX_INLINE_DEPTH) return {};
    const node = schema as Record<string, unknown>;
    if (typeof node.$ref === 'string') return this.reference(node.$ref, `${at}/$ref`, depth);

    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (KEPT.has(key)) out[key] = key === 'required' && Array.isArray(value) ? [...value].map(String).sort() : copyOf(value);
      else if (NESTED_ONE.has(key)) out[key] = this.convert(value, `${at}/${key}`, depth + 1);
      else if (NESTED_MANY.has(key) && Array.isArray(value)) out[key] = value.map((v, i) => this.convert(v, `${at}/${key}/${i}`, depth + 1));
      else if (key === 'properties' && value && typeof value === 'object') {
        const props: Record<string, JsonSchema> = {};
        for (const [name, prop] of Object.entries(value)) props[name] = this.convert(prop, `${at}/properties/${escape(name)}`, depth + 1);
        out.properties = props;
      } else if (key === 'additionalProperties') {
        out.additionalProperties = typeof value === 'boolean' ? value : this.convert(value, `${at}/additionalProperties`, depth + 1);
      }
    }
    if (this.nullableKeyword && node.nullable === true) return nullable(out);
    return out;
  }

  /** The properties and required list of an object schema, following references and allOf. */
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
          if (!properties.has(name)) properties.set(name, { name, schema: prop, at: `${where}/properties/${escape(name)}` });
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

/** A value of the document as the catalog's own: the document is shared, the catalog must not hold parts of it. */
function copyOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

/** OpenAPI 3.0's `nullable: true` in JSON Schema terms. */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') {
    const out: JsonSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) out.enum = [...schema.enum, null];
    return out;
  }
  if (Array.isArray(schema.type)) return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

export function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
