import type { JsonSchema } from '../../core/catalog.ts';
import { pascalCase, uniqueNames } from '../naming.ts';
import type { EdmModel, EdmProperty, EdmStructuredType, ODataVersion } from './load-edmx.ts';

/**
 * JSON Schemas of EDM types, as the service's JSON format writes values: v2 writes Int64 and
 * Decimal as strings and DateTime as `/Date(ms)/`; v4 writes numbers and ISO 8601 text. Complex,
 * enum and entity types become named definitions, named up front in sorted order so that a name
 * never depends on which action used the type first.
 */
export class EdmSchemas {
  readonly definitions = new Map<string, JsonSchema>();
  private readonly names = new Map<string, string>();

  constructor(private readonly model: EdmModel, reserved: Set<string>) {
    const fqns = [...model.complexTypes.keys(), ...model.enumTypes.keys(), ...model.entityTypes.keys()].sort();
    const short = (fqn: string): string => fqn.slice(fqn.lastIndexOf('.') + 1);
    const names = uniqueNames(fqns.map((f) => pascalCase(short(f))), reserved);
    for (const [i, fqn] of fqns.entries()) this.names.set(fqn, names[i]!);
  }

  /** The schema of a property (or parameter) of an EDM type, nullable as declared. */
  property(p: Pick<EdmProperty, 'type' | 'nullable' | 'maxLength'>): JsonSchema {
    const schema = this.type(p.type);
    if (p.maxLength !== undefined && schema.type === 'string') schema.maxLength = p.maxLength;
    return p.nullable ? nullable(schema) : schema;
  }

  /** The schema of an EDM type name: primitive, Collection(...), or a named type of the document. */
  type(name: string): JsonSchema {
    const collection = /^Collection\((.+)\)$/.exec(name);
    if (collection) return { type: 'array', items: this.type(collection[1]!) };
    if (name.startsWith('Edm.')) return primitive(name, this.model.version);
    const defName = this.names.get(name);
    if (defName === undefined) return {};
    if (!this.definitions.has(defName)) {
      this.definitions.set(defName, {});
      this.definitions.set(defName, this.named(name));
    }
    return { $ref: `#/definitions/${defName}` };
  }

  /**
   * The structure of an entity or complex type, with the properties given: closed, unless the
   * type is open (`OpenType="true"`, as CAP writes its `Map` type), which allows any other property.
   */
  structure(properties: readonly EdmProperty[], open = false): JsonSchema {
    const out: Record<string, JsonSchema> = {};
    for (const p of properties) out[p.name] = this.property(p);
    return { type: 'object', properties: out, ...(open ? {} : { additionalProperties: false }) };
  }

  private named(fqn: string): JsonSchema {
    const enumType = this.model.enumTypes.get(fqn);
    if (enumType) return { type: 'string', enum: [...enumType.members] };
    const type: EdmStructuredType | undefined = this.model.complexTypes.get(fqn) ?? this.model.entityTypes.get(fqn);
    return type ? this.structure(type.properties, type.open === true) : {};
  }
}

function primitive(name: string, version: ODataVersion): JsonSchema {
  switch (name) {
    case 'Edm.String':
      return { type: 'string' };
    case 'Edm.Boolean':
      return { type: 'boolean' };
    case 'Edm.Byte':
    case 'Edm.SByte':
    case 'Edm.Int16':
    case 'Edm.Int32':
      return { type: 'integer' };
    case 'Edm.Int64':
      return version === 'v2' ? { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' } : { type: 'integer', format: 'int64' };
    case 'Edm.Decimal':
      return version === 'v2' ? { type: 'string', format: 'decimal', pattern: '^-?[0-9]+(\\.[0-9]+)?$' } : { type: 'number', format: 'decimal' };
    case 'Edm.Single':
    case 'Edm.Double':
      return { type: 'number' };
    case 'Edm.Guid':
      return { type: 'string', format: 'uuid' };
    case 'Edm.DateTime':
      return { type: 'string', description: 'An OData v2 date and time, /Date(milliseconds since 1970)/', pattern: '^/Date\\(-?[0-9]+([+-][0-9]{4})?\\)/$' };
    case 'Edm.DateTimeOffset':
      return version === 'v2' ? { type: 'string' } : { type: 'string', format: 'date-time' };
    case 'Edm.Date':
      return { type: 'string', format: 'date' };
    case 'Edm.TimeOfDay':
      return { type: 'string', format: 'time' };
    case 'Edm.Time':
    case 'Edm.Duration':
      return { type: 'string', format: 'duration' };
    case 'Edm.Binary':
    case 'Edm.Stream':
      return { type: 'string', contentEncoding: 'base64' };
    default:
      return {};
  }
}

function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (schema.$ref !== undefined) return { anyOf: [schema, { type: 'null' }] };
  return schema;
}
