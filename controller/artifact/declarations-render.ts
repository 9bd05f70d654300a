import { type Ast, type Param, printer, T_UNKNOWN, T_UNKNOWN_ADDITIONAL_PROPERTIES } from './declarations-print.ts';

/**
 * The declarations of one batch of definitions, rendered by intctl itself: the text
 * json-schema-to-typescript's `compile` gives (before the tidying both paths share), for the
 * part of JSON Schema that catalogs use. The library normalises the whole schema in two passes,
 * links every node to its parent, validates it, looks every node up among the definitions and
 * memoizes through lodash: most of the time of generating a large catalog. Here each rule it
 * applies is applied once, to the nodes that reach the text, and the syntax tree it would build
 * is built directly and printed by its own optimizer and generator, ported (declarations-print.ts).
 *
 * It is only safe where intctl knows every rule the library applies, so it takes a batch only
 * when every node of it is in that subset (`inSubset`), and answers `undefined` otherwise: the
 * caller then compiles the batch with the library, as before. What is left out on purpose: `$ref`
 * (the library dereferences), `id`/`$id`, nested `definitions`, `extends`, tuples,
 * `patternProperties`, `tsEnumNames`, `not`, `dependencies`, boolean schemas, enum and const
 * values that are objects or arrays (the library rewrites descriptions inside them), and any
 * value the library would reject or trip over. test/generation/declarations.test.ts holds both
 * paths to the library's own `compile`.
 *
 * `batch` is the batch as renderDeclarations builds it (a fresh tree, every definition titled
 * with its name), and it is changed here, as the library changes it.
 */
export function renderBatch(batch: Record<string, unknown>, names: Names): string | undefined {
  for (const key of Object.keys(batch)) {
    if (!inSubset(batch[key], true)) return undefined;
  }
  try {
    for (const key of Object.keys(batch)) normalizeTree(batch[key] as Schema);
    const definitionOf = new Map<Schema, string>();
    for (const key of Object.keys(batch)) definitionOf.set(batch[key] as Schema, key);
    const parser = new Parser(names, definitionOf);
    const root = parser.root(batch);
    const print = printer(names.toSafeString);
    return print.generate(print.optimize(root));
  } finally {
    intersections.clear();
  }
}

/** The library's own naming (utils.ts): names are made safe and numbered exactly as it does. */
export interface Names {
  toSafeString(text: string): string;
  generateName(from: string, usedNames: Set<string>): string;
}

type Schema = Record<string, unknown>;

/** The keys that make a batch the library's: see renderBatch. */
const LEFT_TO_THE_LIBRARY = new Set(['$ref', 'id', '$id', 'definitions', '$defs', 'extends', 'patternProperties', 'additionalItems', 'dependencies', 'not', 'tsEnumNames']);

/**
 * The keys under which the library's traversal finds no schema (utils.ts' BLACKLISTED_KEYS less
 * those it follows itself): the value of any other key is walked as if it held schemas, so it
 * must hold nothing the library's rules would stop at (see `quiet`).
 */
const NOT_WALKED = new Set([
  'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type', '$schema',
]);

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** Whether a schema node and everything under it is in the subset the renderer knows. */
function inSubset(node: unknown, isDefinition = false): boolean {
  if (!isRecord(node)) return false;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (LEFT_TO_THE_LIBRARY.has(key)) return false;
    switch (key) {
      case 'type':
        if (typeof value !== 'string' && !(Array.isArray(value) && value.every((t) => typeof t === 'string'))) return false;
        break;
      case 'anyOf':
      case 'allOf':
      case 'oneOf':
        if (!Array.isArray(value) || !value.every((item) => inSubset(item))) return false;
        break;
      case 'properties':
        if (!isRecord(value) || !Object.values(value).every((item) => inSubset(item))) return false;
        break;
      case 'additionalProperties':
        if (typeof value !== 'boolean' && !inSubset(value)) return false;
        break;
      case 'items':
        if (!inSubset(value)) return false;
        break;
      case 'required':
        if (value !== false && !(Array.isArray(value) && value.every((r) => typeof r === 'string'))) return false;
        break;
      case 'enum':
        if (!Array.isArray(value) || !value.every(isPrimitive)) return false;
        break;
      case 'const':
        if (!isPrimitive(value)) return false;
        break;
      case 'description':
      case 'title':
      case 'tsType':
        if (typeof value !== 'string') return false;
        break;
      case 'deprecated':
        // The library's validator rejects any other value.
        if (typeof value !== 'boolean') return false;
        break;
      case 'minItems':
      case 'maxItems':
        if (typeof value !== 'number' || !(value >= 0)) return false;
        break;
      default:
        if (!NOT_WALKED.has(key) && !quiet(value)) return false;
    }
  }
  // The library's validator: maxItems >= minItems when both are given.
  if (typeof node.minItems === 'number' && typeof node.maxItems === 'number' && node.maxItems < node.minItems) return false;
  // A definition is titled with its name; a title elsewhere (a named sub-type) is rendered too.
  return !isDefinition || typeof node.title === 'string';
}

/**
 * Whether a value the library walks without rendering it (`if`, `then`, examples, extensions) is
 * free of what its traversal, normaliser or validator acts on: such a value changes no text, but
 * a key there could make the library throw, and then the renderer must not answer for it.
 */
function quiet(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(quiet);
  if (!isRecord(value)) return true;
  const records = (list: unknown): boolean => Array.isArray(list) && list.every(isRecord);
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (LEFT_TO_THE_LIBRARY.has(key)) return false;
    // The traversal follows these into whatever they hold, and the typing of a schema that is not an object throws.
    if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && !records(member)) return false;
    if (key === 'items' && !isRecord(member) && !records(member)) return false;
    // The validator's rules.
    if ((key === 'minItems' || key === 'maxItems') && !(typeof member === 'number' && member >= 0)) return false;
    if (key === 'deprecated' && typeof member !== 'boolean') return false;
    if (!quiet(member)) return false;
  }
  return !(typeof value.minItems === 'number' && typeof value.maxItems === 'number' && value.maxItems < value.minItems);
}

const hasType = (schema: Schema, type: string): boolean => schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
const isObjectType = (schema: Schema): boolean => schema.properties !== undefined || hasType(schema, 'object') || hasType(schema, 'any');
const isArrayType = (schema: Schema): boolean => schema.items !== undefined || hasType(schema, 'array') || hasType(schema, 'any');

/**
 * The library's normaliser (normalizer.ts), those of its rules that act on the subset, in its
 * order, on every node its traversal reaches as a schema. Each rule reads and changes its node
 * alone, so one visit per node applies the rules as the library's pass per rule does.
 */
function normalizeTree(schema: Schema): void {
  normalizeNode(schema);
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    const list = schema[key] as Schema[] | undefined;
    if (list) for (const item of list) normalizeTree(item);
  }
  const typing = intersections.get(schema);
  if (typing) for (const item of typing.intersection.allOf as Schema[]) normalizeTree(item);
  if (isRecord(schema.properties)) for (const item of Object.values(schema.properties)) normalizeTree(item as Schema);
  if (isRecord(schema.additionalProperties)) normalizeTree(schema.additionalProperties);
  if (isRecord(schema.items)) normalizeTree(schema.items);
}

function normalizeNode(schema: Schema): void {
  // Remove `type=["null"]` if `enum=[null]`
  if (Array.isArray(schema.enum) && schema.enum.some((e) => e === null) && Array.isArray(schema.type) && schema.type.includes('null')) {
    schema.type = (schema.type as unknown[]).filter((type) => type !== 'null');
  }
  // Destructure unary types
  if (Array.isArray(schema.type) && schema.type.length === 1) schema.type = schema.type[0];
  // Add empty `required` property if none is defined; `required: false` is `[]`
  if (isObjectType(schema) && !('required' in schema)) schema.required = [];
  if (schema.required === false) schema.required = [];
  // Default additionalProperties (intctl compiles with additionalProperties: false)
  if (isObjectType(schema) && !('additionalProperties' in schema)) schema.additionalProperties = false;
  // Escape closing JSDoc comment
  if (typeof schema.description === 'string') schema.description = schema.description.replace(/\*\//g, '* /');
  // Add JSDoc comments for minItems and maxItems, then remove them (intctl ignores them for types)
  if (isArrayType(schema)) {
    const notes = ['minItems' in schema ? `@minItems ${String(schema.minItems)}` : '', 'maxItems' in schema ? `@maxItems ${String(schema.maxItems)}` : ''].filter(Boolean);
    if (notes.length) schema.description = schema.description ? `${String(schema.description)}\n\n${notes.join('\n')}` : notes.join('\n');
    delete schema.minItems;
    delete schema.maxItems;
  }
  // Transform const to singleton enum
  if (schema.const !== undefined) {
    schema.enum = [schema.const];
    delete schema.const;
  }
  applySchemaTyping(schema);
}

type SchemaType =
  | 'ALL_OF' | 'ANY' | 'ANY_OF' | 'BOOLEAN' | 'CUSTOM_TYPE' | 'NAMED_ENUM' | 'NAMED_SCHEMA' | 'NEVER' | 'NULL' | 'NUMBER' | 'OBJECT'
  | 'ONE_OF' | 'REFERENCE' | 'STRING' | 'TYPED_ARRAY' | 'UNION' | 'UNNAMED_ENUM' | 'UNNAMED_SCHEMA' | 'UNTYPED_ARRAY';

/**
 * What the library keeps on a node in symbols, for the nodes of the batch being rendered that
 * typing made an intersection of: the intersection, and the node's own types. A node of one
 * type keeps nothing: typing leaves it as it was, so its type is read again where it is parsed
 * (a map entry for every node of a large catalog was a tenth of rendering it).
 */
const intersections = new Map<Schema, { intersection: Schema; types: Set<SchemaType> }>();

const isCompound = (schema: Schema): boolean => Array.isArray(schema.type) || 'anyOf' in schema || 'oneOf' in schema;
const typed = (schema: Schema, type: 'boolean' | 'number' | 'string'): boolean => !isCompound(schema) && typeof schema.default === type;

/** typesOfSchema.ts: the matchers in the library's order (the order of the types in a union). */
function typesOfSchema(schema: Schema): Set<SchemaType> {
  if (schema.tsType) return new Set(['CUSTOM_TYPE']);
  const types = new Set<SchemaType>();
  const plainType = schema.type;
  if ('allOf' in schema) types.add('ALL_OF');
  if (Object.keys(schema).length === 0 || plainType === 'any') types.add('ANY');
  if ('anyOf' in schema) types.add('ANY_OF');
  if (!('enum' in schema) && (plainType === 'boolean' || typed(schema, 'boolean'))) types.add('BOOLEAN');
  if (plainType === 'null') types.add('NULL');
  if (!('enum' in schema) && (plainType === 'integer' || plainType === 'number' || typed(schema, 'number'))) types.add('NUMBER');
  if (plainType === 'object' && !isRecord(schema.additionalProperties) && !schema.allOf && !schema.anyOf && !schema.oneOf && !schema.patternProperties && !schema.properties && !schema.required) {
    types.add('OBJECT');
  }
  if ('oneOf' in schema) types.add('ONE_OF');
  if (!('enum' in schema) && (plainType === 'string' || typed(schema, 'string'))) types.add('STRING');
  if ((!plainType || plainType === 'array') && 'items' in schema) types.add('TYPED_ARRAY');
  if (Array.isArray(plainType)) types.add('UNION');
  if ((!plainType || plainType === 'boolean' || plainType === 'integer' || plainType === 'number' || plainType === 'string') && 'enum' in schema) types.add('UNNAMED_ENUM');
  if (plainType === 'array' && !('items' in schema)) types.add('UNTYPED_ARRAY');
  if (types.size === 0) types.add('UNNAMED_SCHEMA');
  return types;
}

/** applySchemaTyping.ts: a node of several types becomes an intersection (its title, description and allOf moved to it) of its types. */
function applySchemaTyping(schema: Schema): void {
  const types = typesOfSchema(schema);
  if (types.size === 1) return;
  const intersection: Schema = { $id: schema.$id, description: schema.description, name: schema.name, title: schema.title, allOf: schema.allOf ?? [], required: [], additionalProperties: false };
  types.delete('ALL_OF');
  delete schema.allOf;
  delete schema.$id;
  delete schema.description;
  delete schema.name;
  delete schema.title;
  intersections.set(schema, { intersection, types });
}

/** parser.ts for the subset: the same nodes, named in the same order. */
class Parser {
  private readonly usedNames = new Set<string>();
  private readonly processed = new Map<Schema, Map<SchemaType, Ast>>();

  constructor(
    private readonly names: Names,
    private readonly definitionOf: Map<Schema, string>,
  ) {}

  /** The batch's root (`Unused`, an interface with no properties), its definitions as unreachable members. */
  root(batch: Record<string, unknown>): Ast {
    const standaloneName = this.names.generateName('Unused', this.usedNames);
    const params: Param[] = [];
    for (const key of Object.keys(batch)) {
      const ast = this.parse(batch[key] as Schema, key);
      const note = `This interface was referenced by \`${standaloneName}\`'s JSON-Schema\nvia the \`definition\` "${key}".`;
      ast.comment = ast.comment ? `${ast.comment}\n\n${note}` : note;
      params.push({ ast, isPatternProperty: false, isRequired: false, isUnreachableDefinition: true, keyName: key });
    }
    return { comment: undefined, deprecated: undefined, keyName: undefined, params, standaloneName, superTypes: [], type: 'INTERFACE' };
  }

  private parse(schema: Schema, keyName: string | undefined): Ast {
    const typing = intersections.get(schema);
    if (typing) {
      const ast = this.parseAs(typing.intersection, 'ALL_OF', keyName);
      for (const type of typing.types) (ast.params as Ast[]).push(this.parseAs(schema, type, keyName));
      return ast;
    }
    return this.parseAs(schema, [...typesOfSchema(schema)][0] as SchemaType, keyName);
  }

  private parseAs(schema: Schema, type: SchemaType, keyName: string | undefined): Ast {
    let cached = this.processed.get(schema);
    if (!cached) {
      cached = new Map();
      this.processed.set(schema, cached);
    }
    const known = cached.get(type);
    if (known) return known;
    const ast = {} as Ast;
    cached.set(type, ast);
    return Object.assign(ast, this.parseNonLiteral(schema, type, keyName));
  }

  private name(schema: Schema, keyNameFromDefinition: string | undefined): string | undefined {
    const name = (schema.title as string | undefined) || (schema.$id as string | undefined) || keyNameFromDefinition;
    return name ? this.names.generateName(name, this.usedNames) : undefined;
  }

  private parseNonLiteral(schema: Schema, type: SchemaType, keyName: string | undefined): Ast {
    const fromDefinition = this.definitionOf.get(schema);
    const comment = schema.description as string | undefined;
    const deprecated = schema.deprecated as boolean | undefined;
    const simple = (astType: Ast['type']): Ast => ({ comment, deprecated, keyName, standaloneName: this.name(schema, fromDefinition), type: astType });
    const list = (astType: Ast['type'], items: Schema[]): Ast => {
      const standaloneName = this.name(schema, fromDefinition);
      return { comment, deprecated, keyName, standaloneName, params: items.map((item) => this.parse(item, undefined)), type: astType };
    };
    switch (type) {
      case 'ALL_OF':
        return list('INTERSECTION', schema.allOf as Schema[]);
      case 'ANY':
        return { ...T_UNKNOWN, comment, deprecated, keyName, standaloneName: this.name(schema, fromDefinition) };
      case 'ANY_OF':
        return list('UNION', schema.anyOf as Schema[]);
      case 'ONE_OF':
        return list('UNION', schema.oneOf as Schema[]);
      case 'BOOLEAN':
      case 'NULL':
      case 'NUMBER':
      case 'STRING':
      case 'OBJECT':
        return simple(type);
      case 'CUSTOM_TYPE': {
        const standaloneName = this.name(schema, fromDefinition);
        return { comment, deprecated, keyName, params: schema.tsType, standaloneName, type: 'CUSTOM_TYPE' };
      }
      case 'TYPED_ARRAY': {
        const standaloneName = this.name(schema, fromDefinition);
        return { comment, deprecated, keyName, standaloneName, params: this.parse(schema.items as Schema, '{keyNameFromDefinition}Items'), type: 'ARRAY' };
      }
      case 'UNTYPED_ARRAY':
        // minItems and maxItems are gone (normalised away), so this is never a tuple.
        return { comment, deprecated, keyName, params: T_UNKNOWN, standaloneName: this.name(schema, fromDefinition), type: 'ARRAY' };
      case 'UNION': {
        const standaloneName = this.name(schema, fromDefinition);
        const params = (schema.type as string[]).map((member) => {
          const { $id: _id, description: _description, title: _title, ...rest } = schema;
          const memberSchema: Schema = { ...rest, type: member };
          maybeStripDefault(memberSchema);
          applySchemaTyping(memberSchema);
          return this.parse(memberSchema, undefined);
        });
        return { comment, deprecated, keyName, standaloneName, params, type: 'UNION' };
      }
      case 'UNNAMED_ENUM': {
        const standaloneName = this.name(schema, fromDefinition);
        return { comment, deprecated, keyName, standaloneName, params: (schema.enum as unknown[]).map((value) => ({ keyName: undefined, params: value, type: 'LITERAL' })), type: 'UNION' };
      }
      case 'UNNAMED_SCHEMA': {
        const standaloneName = this.name(schema, fromDefinition);
        return { comment, deprecated, keyName, params: this.members(schema), standaloneName, superTypes: [], type: 'INTERFACE' };
      }
      default:
        throw new Error(`declarations: a ${type} schema is not rendered here`);
    }
  }

  /** parseSchema: properties, then the index signature that additionalProperties gives. */
  private members(schema: Schema): Param[] {
    const required = (schema.required as string[] | undefined) ?? [];
    const params: Param[] = [];
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of Object.keys(properties)) {
      params.push({ ast: this.parse(properties[key] as Schema, key), isPatternProperty: false, isRequired: required.includes(key), isUnreachableDefinition: false, keyName: key });
    }
    const additional = schema.additionalProperties;
    if (additional === false) return params;
    const ast = additional === undefined || additional === true ? T_UNKNOWN_ADDITIONAL_PROPERTIES : this.parse(additional as Schema, '[k: string]');
    params.push({ ast, isPatternProperty: false, isRequired: true, isUnreachableDefinition: false, keyName: '[k: string]' });
    return params;
  }
}

/** utils.ts' maybeStripDefault: a union member keeps a default only of its own type. */
function maybeStripDefault(schema: Schema): void {
  if (!('default' in schema)) return;
  const value = schema.default;
  const keep =
    (schema.type === 'array' && Array.isArray(value)) ||
    (schema.type === 'boolean' && typeof value === 'boolean') ||
    ((schema.type === 'integer' || schema.type === 'number') && typeof value === 'number') ||
    (schema.type === 'string' && typeof value === 'string') ||
    (schema.type === 'null' && value === null) ||
    (schema.type === 'object' && isRecord(value));
  if (!keep) delete schema.default;
}
