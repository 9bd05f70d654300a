import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeUtf8Text } from '../../core/text-encoding.ts';
import { failed, ok, type Result, type SpecProblem } from '../generator.ts';

export type ODataVersion = 'v2' | 'v4';

export interface EdmProperty {
  name: string;
  type: string;
  nullable: boolean;
  maxLength?: number;
  /** False where the service refuses to filter or order by it (sap:filterable, FilterRestrictions). */
  filterable: boolean;
  sortable: boolean;
  /** Never sent by a client: sap:creatable and sap:updatable false, or Core.Computed. */
  readOnly: boolean;
}

export interface EdmStructuredType {
  name: string;
  fqn: string;
  path: string;
  key: string[];
  properties: EdmProperty[];
  baseType?: string;
  /** `OpenType="true"` (or a base type that is): values may carry properties the type does not declare. */
  open?: boolean;
}

export interface EdmEnumType {
  name: string;
  fqn: string;
  members: string[];
}

export interface EdmEntitySet {
  name: string;
  /** Full name of the entity type, aliases resolved. */
  type: string;
  path: string;
  /** The container-qualified name that annotations target: `Namespace.Container/Set`. */
  target: string;
  insertable: boolean;
  updatable: boolean;
  deletable: boolean;
  countable: boolean;
  pageable: boolean;
  nonFilterable: Set<string>;
  nonSortable: Set<string>;
}

export interface EdmParameter {
  name: string;
  type: string;
  nullable: boolean;
}

/** A function import or action import, as callable at the service root. */
export interface EdmFunction {
  name: string;
  path: string;
  /** v4: function (GET, parameters in the URL) or action (POST, parameters in the body); v2: by m:HttpMethod. */
  kind: 'function' | 'action';
  method: 'GET' | 'POST';
  parameters: EdmParameter[];
  returnType?: string;
}

export interface EdmModel {
  version: ODataVersion;
  entityTypes: Map<string, EdmStructuredType>;
  complexTypes: Map<string, EdmStructuredType>;
  enumTypes: Map<string, EdmEnumType>;
  entitySets: EdmEntitySet[];
  functions: EdmFunction[];
}

type Node = Record<string, unknown>;

const ROOT = '/edmx:Edmx/edmx:DataServices';
const ARRAY_ELEMENTS = new Set([
  'Schema', 'EntityType', 'ComplexType', 'EnumType', 'Member', 'Property', 'NavigationProperty', 'Key', 'PropertyRef',
  'EntityContainer', 'EntitySet', 'FunctionImport', 'ActionImport', 'Function', 'Action', 'Parameter', 'ReturnType',
  'Annotations', 'Annotation', 'Record', 'PropertyValue', 'Collection', 'PropertyPath', 'Association', 'AssociationSet',
  'Singleton', 'TypeDefinition', 'Term', 'Reference', 'Include',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAY_ELEMENTS.has(name),
});

/**
 * The text of an EDMX document, or why it is refused: not UTF-8 (a wide encoding is named), or a
 * document type declaration. OData metadata never needs a DTD, and refusing one means no entity
 * is ever declared, let alone expanded or fetched (external entities, "billion laughs").
 */
function edmxText(bytes: Uint8Array): string | { message: string } {
  const decoded = decodeUtf8Text(bytes);
  if (typeof decoded !== 'string') {
    const where = decoded.line > 1 || decoded.column > 1 ? ` at line ${decoded.line}, column ${decoded.column}` : '';
    return { message: `${decoded.message.replace(/^file /, 'the document ')}${where}` };
  }
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) {
    const before = text.slice(0, doctype.index).split('\n');
    return { message: `the document declares a DTD (<!DOCTYPE) at line ${before.length}, column ${before.at(-1)!.length + 1}; OData metadata needs none, and intctl declares and expands no entities` };
  }
  return text;
}

/**
 * Reads an OData metadata document (EDMX): v2 (Edmx 1.0, as SAP Gateway serves it, with its
 * sap: annotations) or v4 (Edmx 4.0, as Dataverse and SAP RAP serve it, with Capabilities
 * annotations). XML is parsed by fast-xml-parser after its validator has checked that the
 * document is well formed; a problem names the element path (or the line and column).
 */
export function loadEdmx(bytes: Uint8Array, expected?: ODataVersion): Result<EdmModel> {
  const text = edmxText(bytes);
  if (typeof text !== 'string') return failed([problem('', text.message)]);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return failed([problem('', `the document is not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`)]);
  }
  let parsed: Node;
  try {
    parsed = parser.parse(text) as Node;
  } catch (error) {
    return failed([problem('', `the document cannot be read as XML: ${(error as Error).message.split('\n')[0]}`)]);
  }
  const edmx = parsed.Edmx as Node | undefined;
  if (!edmx || typeof edmx !== 'object') return failed([problem('', 'the root element must be edmx:Edmx (an OData metadata document)')]);
  const edmxVersion = String(edmx['@Version'] ?? '');
  const version: ODataVersion | undefined = edmxVersion.startsWith('4.') ? 'v4' : edmxVersion === '1.0' ? 'v2' : undefined;
  if (!version) return failed([problem('/edmx:Edmx/@Version', `Edmx Version ${JSON.stringify(edmxVersion)} is neither 1.0 (OData v2) nor 4.0 (OData v4)`)]);
  if (expected && expected !== version) {
    return failed([problem('/edmx:Edmx/@Version', `the document is OData ${version} (Edmx Version ${edmxVersion}), but the manifest says odataVersion ${expected}`)]);
  }
  const services = edmx.DataServices as Node | undefined;
  const schemas = (services?.Schema as Node[] | undefined) ?? [];
  if (schemas.length === 0) return failed([problem(ROOT, 'the document has no Schema')]);

  const aliases = new Map<string, string>();
  for (const schema of schemas) {
    const ns = String(schema['@Namespace'] ?? '');
    if (typeof schema['@Alias'] === 'string') aliases.set(schema['@Alias'], ns);
  }
  const resolve = (name: string): string => {
    const collection = /^Collection\((.+)\)$/.exec(name);
    if (collection) return `Collection(${resolve(collection[1]!)})`;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    const ns = aliases.get(prefix);
    return ns ? `${ns}${name.slice(dot)}` : name;
  };

  const model: EdmModel = { version, entityTypes: new Map(), complexTypes: new Map(), enumTypes: new Map(), entitySets: [], functions: [] };
  const problems: SpecProblem[] = [];
  const annotations = collectAnnotations(schemas, resolve);
  const operations = new Map<string, { node: Node; path: string; kind: 'function' | 'action' }[]>();

  for (const schema of schemas) {
    const ns = String(schema['@Namespace'] ?? '');
    const at = `${ROOT}/Schema[@Namespace='${ns}']`;
    for (const t of list(schema.EntityType)) {
      const type = structured(t, ns, `${at}/EntityType[@Name='${String(t['@Name'])}']`, resolve, annotations);
      if (t['@BaseType']) type.baseType = resolve(String(t['@BaseType']));
      model.entityTypes.set(type.fqn, type);
    }
    for (const t of list(schema.ComplexType)) model.complexTypes.set(`${ns}.${String(t['@Name'])}`, structured(t, ns, `${at}/ComplexType[@Name='${String(t['@Name'])}']`, resolve, annotations));
    for (const t of list(schema.EnumType)) {
      model.enumTypes.set(`${ns}.${String(t['@Name'])}`, { name: String(t['@Name']), fqn: `${ns}.${String(t['@Name'])}`, members: list(t.Member).map((m) => String(m['@Name'])) });
    }
    for (const kind of ['Function', 'Action'] as const) {
      for (const f of list(schema[kind])) {
        if (f['@IsBound'] === 'true') continue;
        const fqn = `${ns}.${String(f['@Name'])}`;
        operations.set(fqn, [...(operations.get(fqn) ?? []), { node: f, path: `${at}/${kind}[@Name='${String(f['@Name'])}']`, kind: kind === 'Function' ? 'function' : 'action' }]);
      }
    }
  }
  inheritBaseTypes(model.entityTypes, problems);

  for (const schema of schemas) {
    const ns = String(schema['@Namespace'] ?? '');
    for (const container of list(schema.EntityContainer)) {
      const cname = String(container['@Name'] ?? '');
      const at = `${ROOT}/Schema[@Namespace='${ns}']/EntityContainer[@Name='${cname}']`;
      for (const set of list(container.EntitySet)) {
        const name = String(set['@Name'] ?? '');
        const path = `${at}/EntitySet[@Name='${name}']`;
        const type = resolve(String(set['@EntityType'] ?? ''));
        if (!model.entityTypes.has(type)) {
          problems.push(problem(`${path}/@EntityType`, `entity set ${name} has entity type ${type}, which the document does not define`));
          continue;
        }
        const target = `${ns}.${cname}/${name}`;
        const own = [...list(set.Annotation), ...(annotations.get(target) ?? [])];
        model.entitySets.push({
          name,
          type,
          path,
          target,
          insertable: set['@creatable'] !== 'false' && restriction(own, 'InsertRestrictions', 'Insertable'),
          updatable: set['@updatable'] !== 'false' && restriction(own, 'UpdateRestrictions', 'Updatable'),
          deletable: set['@deletable'] !== 'false' && restriction(own, 'DeleteRestrictions', 'Deletable'),
          countable: set['@countable'] !== 'false' && restriction(own, 'CountRestrictions', 'Countable'),
          pageable: set['@pageable'] !== 'false',
          nonFilterable: new Set(paths(own, 'FilterRestrictions', 'NonFilterableProperties')),
          nonSortable: new Set(paths(own, 'SortRestrictions', 'NonSortableProperties')),
        });
      }
      for (const fi of list(container.FunctionImport)) {
        const name = String(fi['@Name'] ?? '');
        const path = `${at}/FunctionImport[@Name='${name}']`;
        if (version === 'v2') {
          model.functions.push({
            name,
            path,
            kind: 'function',
            method: String(fi['@HttpMethod'] ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET',
            parameters: list(fi.Parameter).map((p) => parameter(p, resolve)),
            ...(fi['@ReturnType'] ? { returnType: resolve(String(fi['@ReturnType'])) } : {}),
          });
        } else {
          const fn = importOf(resolve(String(fi['@Function'] ?? '')), operations, path, problems);
          if (fn) model.functions.push({ name, path, kind: 'function', method: 'GET', ...signature(fn, resolve) });
        }
      }
      for (const ai of list(container.ActionImport)) {
        const name = String(ai['@Name'] ?? '');
        const path = `${at}/ActionImport[@Name='${name}']`;
        const fn = importOf(resolve(String(ai['@Action'] ?? '')), operations, path, problems);
        if (fn) model.functions.push({ name, path, kind: 'action', method: 'POST', ...signature(fn, resolve) });
      }
    }
  }
  if (problems.length > 0) return failed(problems);
  model.entitySets.sort((a, b) => compare(a.name, b.name));
  model.functions.sort((a, b) => compare(a.name, b.name));
  return ok(model);
}

function structured(t: Node, ns: string, path: string, resolve: (n: string) => string, annotations: Map<string, Node[]>): EdmStructuredType {
  const name = String(t['@Name'] ?? '');
  const fqn = `${ns}.${name}`;
  const key = list(t.Key).flatMap((k) => list(k.PropertyRef)).map((r) => String(r['@Name']));
  const properties: EdmProperty[] = [];
  for (const p of list(t.Property)) {
    const pname = String(p['@Name'] ?? '');
    const own = [...list(p.Annotation), ...(annotations.get(`${fqn}/${pname}`) ?? [])];
    const computed = own.some((a) => termIs(a, 'Computed') && a['@Bool'] !== 'false');
    const maxLength = Number(p['@MaxLength']);
    properties.push({
      name: pname,
      type: resolve(String(p['@Type'] ?? 'Edm.String')),
      nullable: p['@Nullable'] !== 'false',
      ...(Number.isInteger(maxLength) && maxLength > 0 ? { maxLength } : {}),
      filterable: p['@filterable'] !== 'false',
      sortable: p['@sortable'] !== 'false',
      readOnly: computed || (p['@creatable'] === 'false' && p['@updatable'] === 'false'),
    });
  }
  return { name, fqn, path, key, properties, ...(t['@OpenType'] === 'true' ? { open: true } : {}) };
}

/** Properties and keys of base types come first, as OData inherits them. */
function inheritBaseTypes(types: Map<string, EdmStructuredType>, problems: SpecProblem[]): void {
  const done = new Set<string>();
  const visit = (type: EdmStructuredType, depth: number): void => {
    if (done.has(type.fqn) || depth > 32) return;
    done.add(type.fqn);
    if (!type.baseType) return;
    const base = types.get(type.baseType);
    if (!base) {
      problems.push(problem(`${type.path}/@BaseType`, `base type ${type.baseType} is not defined in the document`));
      return;
    }
    visit(base, depth + 1);
    const own = new Set(type.properties.map((p) => p.name));
    type.properties = [...base.properties.filter((p) => !own.has(p.name)), ...type.properties];
    if (type.key.length === 0) type.key = [...base.key];
    if (base.open) type.open = true;
  };
  for (const type of types.values()) visit(type, 0);
}

function importOf(fqn: string, operations: Map<string, { node: Node; path: string; kind: 'function' | 'action' }[]>, path: string, problems: SpecProblem[]): Node | undefined {
  const found = operations.get(fqn)?.[0];
  if (!found) {
    problems.push(problem(path, `imports ${fqn}, which the document does not define as an unbound function or action`));
    return undefined;
  }
  return found.node;
}

function signature(fn: Node, resolve: (n: string) => string): { parameters: EdmParameter[]; returnType?: string } {
  const returnType = list(fn.ReturnType)[0]?.['@Type'];
  return { parameters: list(fn.Parameter).map((p) => parameter(p, resolve)), ...(returnType ? { returnType: resolve(String(returnType)) } : {}) };
}

function parameter(p: Node, resolve: (n: string) => string): EdmParameter {
  return { name: String(p['@Name'] ?? ''), type: resolve(String(p['@Type'] ?? 'Edm.String')), nullable: p['@Nullable'] !== 'false' };
}

/** Annotations given apart from their targets (`<Annotations Target="...">`), by resolved target. */
function collectAnnotations(schemas: Node[], resolve: (n: string) => string): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  for (const schema of schemas) {
    for (const group of list(schema.Annotations)) {
      const target = String(group['@Target'] ?? '');
      const slash = target.indexOf('/');
      const resolved = slash < 0 ? resolve(target) : `${resolve(target.slice(0, slash))}${target.slice(slash)}`;
      out.set(resolved, [...(out.get(resolved) ?? []), ...list(group.Annotation)]);
    }
  }
  return out;
}

function termIs(annotation: Node, term: string): boolean {
  const name = String(annotation['@Term'] ?? '');
  return name === term || name.endsWith(`.${term}`);
}

/** The Bool of a restriction record's property (true when the annotation says nothing). */
function restriction(annotations: Node[], term: string, property: string): boolean {
  for (const a of annotations) {
    if (!termIs(a, term)) continue;
    for (const record of list(a.Record)) {
      for (const value of list(record.PropertyValue)) {
        if (value['@Property'] === property) return value['@Bool'] !== 'false';
      }
    }
  }
  return true;
}

function paths(annotations: Node[], term: string, property: string): string[] {
  const out: string[] = [];
  for (const a of annotations) {
    if (!termIs(a, term)) continue;
    for (const record of list(a.Record)) {
      for (const value of list(record.PropertyValue)) {
        if (value['@Property'] !== property) continue;
        for (const collection of list(value.Collection)) {
          for (const p of list(collection.PropertyPath)) out.push(typeof p === 'string' ? p : String((p as Node)['#text'] ?? ''));
        }
      }
    }
  }
  return out;
}

function list(value: unknown): Node[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as Node[];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function problem(at: string, message: string): SpecProblem {
  return { reason: 'SpecificationInvalid', pointer: at, message };
}
