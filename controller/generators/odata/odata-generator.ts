import type { ActionCatalog, CatalogAction, JsonSchema, ParameterBinding, RequestTemplate } from '../../core/catalog.ts';
import type { Operation } from '../../generated/manifests.ts';
import { checkSelection, resolveSelection } from '../check-selection.ts';
import { failed, ok, OPERATIONS, type GenerateInput, type Generator, type Result, type SpecDescription } from '../generator.ts';
import { pascalCase, plural, singular, uniqueNames } from '../naming.ts';
import { actionName, buildEntityActions, type EntityModel, type ModelAttribute, type OperationModel, type SearchCapabilities } from '../standard-actions.ts';
import { EdmSchemas } from './edm-schemas.ts';
import { loadEdmx, type EdmEntitySet, type EdmFunction, type EdmModel } from './load-edmx.ts';
import { ODATA_GENERATOR } from './odata-identity.ts';

const ACCEPT_JSON: ParameterBinding = { name: 'Accept', value: 'application/json', format: 'plain' };
const OPERATORS: Record<'v2' | 'v4', string[]> = {
  v2: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'startswith', 'endswith', 'substringof'],
  v4: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'startswith', 'endswith', 'contains', 'in'],
};

interface Named {
  set: EdmEntitySet;
  typeName: string;
  pluralName: string;
}

/**
 * Generates integrations from OData v2 and v4 metadata documents. Entity sets are entities, with
 * the operations their capabilities allow (sap:creatable, sap:updatable, sap:deletable,
 * sap:countable in v2; Capabilities restrictions in v4); function and action imports are functions.
 */
export const odataGenerator: Generator<EdmModel> = {
  ...ODATA_GENERATOR,
  parse: async (specBytes, options) => loadEdmx(specBytes, options.odataVersion),
  describe: (model) => describeModel(model),

  generate(model: EdmModel, input: GenerateInput): Result<ActionCatalog> {
    const description = describeModel(model);
    const problems = checkSelection(description, input.spec);
    if (problems.length > 0) return failed(problems);
    const selection = resolveSelection(description, input.spec);

    const named = namesOf(model);
    const functionNames = functionActionNames(model, named);
    const reserved = new Set<string>();
    for (const n of named.values()) {
      reserved.add(n.typeName);
      for (const op of OPERATIONS) reserved.add(`${actionName(op, n)}Input`).add(`${actionName(op, n)}Output`);
    }
    for (const name of functionNames.values()) reserved.add(`${name}Input`).add(`${name}Output`);
    const schemas = new EdmSchemas(model, reserved);

    const entities: ActionCatalog['entities'] = [];
    const actions: CatalogAction[] = [];
    const definitions: Record<string, JsonSchema> = {};
    for (const chosen of selection.entities) {
      const entity = entityModel(model, named.get(chosen.entity.name)!, chosen.attributes, schemas);
      const built = buildEntityActions(entity, chosen.operations, chosen.attributes);
      entities.push(built.entity);
      actions.push(...built.actions);
      Object.assign(definitions, built.definitions);
    }
    const functions = new Map(model.functions.map((f) => [f.name, f]));
    for (const name of selection.functions) {
      const fn = functions.get(name)!;
      const built = functionAction(model, fn, functionNames.get(name)!, schemas);
      actions.push(built.action);
      Object.assign(definitions, built.definitions);
    }
    for (const [name, schema] of schemas.definitions) definitions[name] = schema;
    return ok({
      integration: input.name,
      system: 'odata',
      generator: { system: 'odata', version: odataGenerator.version },
      specification: { path: input.specPath, format: `OData ${model.version}` },
      entities,
      actions: actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      definitions,
    });
  },
};

function supported(set: EdmEntitySet): Operation[] {
  const out: Operation[] = ['Get', 'Search'];
  if (set.countable) out.push('Count');
  if (set.insertable) out.push('Create');
  if (set.updatable) out.push('Update');
  if (set.deletable) out.push('Delete');
  return out;
}

function describeModel(model: EdmModel): SpecDescription {
  return {
    format: `OData ${model.version}`,
    entities: model.entitySets.map((set) => ({
      name: set.name,
      pointer: set.path,
      attributes: model.entityTypes.get(set.type)!.properties.map((p) => p.name),
      operations: supported(set),
    })),
    functions: model.functions.map((f) => ({ name: f.name, pointer: f.path })),
  };
}

/** Type and plural names of every entity set, unique across the document. */
function namesOf(model: EdmModel): Map<string, Named> {
  const singulars = uniqueNames(model.entitySets.map((s) => pascalCase(singular(s.name))));
  const out = new Map<string, Named>();
  for (const [i, set] of model.entitySets.entries()) {
    const typeName = singulars[i]!;
    out.set(set.name, { set, typeName, pluralName: pascalCase(plural(typeName)) });
  }
  return out;
}

function functionActionNames(model: EdmModel, named: Map<string, Named>): Map<string, string> {
  const taken = new Set<string>();
  for (const n of named.values()) for (const op of OPERATIONS) taken.add(actionName(op, n));
  const names = uniqueNames(model.functions.map((f) => pascalCase(f.name)), taken);
  return new Map(model.functions.map((f, i) => [f.name, names[i]!]));
}

function entityModel(model: EdmModel, n: Named, attributes: string[] | undefined, schemas: EdmSchemas): EntityModel {
  const { set } = n;
  const type = model.entityTypes.get(set.type)!;
  const wanted = attributes ? new Set([...attributes, ...type.key]) : undefined;
  const properties = type.properties.filter((p) => !wanted || wanted.has(p.name));
  const primitiveOnly = (t: string): boolean => t.startsWith('Edm.') || model.enumTypes.has(t);
  const modelAttributes: ModelAttribute[] = properties.map((p) => ({
    name: p.name,
    schema: schemas.property(p),
    required: !p.nullable && !p.readOnly,
    readOnly: p.readOnly,
    filterable: p.filterable && !set.nonFilterable.has(p.name) && primitiveOnly(p.type),
    sortable: p.sortable && !set.nonSortable.has(p.name) && primitiveOnly(p.type),
  }));
  const keyInputs = type.key.map((k) => {
    const p = type.properties.find((x) => x.name === k);
    return { name: k, schema: p ? schemas.property({ ...p, nullable: false }) : { type: 'string' }, required: true };
  });
  const v2 = model.version === 'v2';
  const base = `/${set.name}`;
  const keyPath = type.key.length === 1 ? `${base}({${type.key[0]}})` : `${base}(${type.key.map((k) => `${k}={${k}}`).join(',')})`;
  const pathParameters: Record<string, ParameterBinding> = {};
  for (const k of type.key) pathParameters[k] = { name: k, from: [`/${k}`], format: 'odata-key' };
  const select = attributes ? [{ name: '$select', value: properties.map((p) => p.name).join(','), format: 'plain' as const }] : [];
  const format = v2 ? [{ name: '$format', value: 'json', format: 'plain' as const }] : [];
  const single = v2 ? '/d' : '';
  const request = (method: RequestTemplate['method'], path: string, extra: Partial<RequestTemplate>): RequestTemplate => ({
    method,
    path,
    pathParameters: path === keyPath ? pathParameters : {},
    query: [...format],
    headers: [ACCEPT_JSON],
    response: { pointer: '' },
    ...extra,
  });
  const search: SearchCapabilities = {
    operators: OPERATORS[model.version],
    advancedFilter: true,
    basicOrder: true,
    advancedOrder: true,
    paging: set.pageable ? 'skip-top' : 'none',
  };
  const filterQuery: ParameterBinding = { name: '$filter', from: ['/filters', '/filter'], format: 'odata-filter' };
  const operations: Partial<Record<Operation, OperationModel>> = {
    Get: { source: set.path, inputs: keyInputs, returns: 'entity', request: request('GET', keyPath, { query: [...format, ...select], response: { pointer: single, status: 200 } }) },
    Search: {
      source: set.path,
      inputs: [],
      search,
      returns: 'entity',
      request: request('GET', base, {
        query: [
          ...format,
          ...select,
          filterQuery,
          { name: '$orderby', from: ['/orderBy', '/order'], format: 'odata-orderby' },
          ...(set.pageable ? [{ name: '$skip', from: ['/skip'], format: 'plain' as const }, { name: '$top', from: ['/top'], format: 'plain' as const }] : []),
        ],
        response: { pointer: v2 ? '/d/results' : '/value', status: 200 },
        paging: { style: search.paging, nextLink: v2 ? '/d/__next' : '/@odata.nextLink' },
      }),
    },
    Count: {
      source: set.path,
      inputs: [],
      search: { ...search, basicOrder: false, advancedOrder: false, paging: 'none' },
      returns: 'entity',
      request: request('GET', `${base}/$count`, { query: [filterQuery], headers: [{ name: 'Accept', value: 'text/plain', format: 'plain' }], response: { pointer: '', status: 200 } }),
    },
    Create: { source: set.path, inputs: [], returns: 'entity', request: request('POST', base, { body: { from: '/record', contentType: 'application/json' }, response: { pointer: single, status: 201 } }) },
    Update: {
      source: set.path,
      inputs: keyInputs,
      returns: 'nothing',
      request: request(v2 ? 'MERGE' : 'PATCH', keyPath, { body: { from: '/record', contentType: 'application/json' }, response: { pointer: '', status: 204 } }),
    },
    Delete: { source: set.path, inputs: keyInputs, returns: 'nothing', request: request('DELETE', keyPath, { response: { pointer: '', status: 204 } }) },
  };
  return { name: set.name, typeName: n.typeName, pluralName: n.pluralName, source: set.path, keyAttributes: [...type.key], attributes: modelAttributes, operations };
}

function functionAction(model: EdmModel, fn: EdmFunction, name: string, schemas: EdmSchemas): { action: CatalogAction; definitions: Record<string, JsonSchema> } {
  const v2 = model.version === 'v2';
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of fn.parameters) {
    properties[p.name] = schemas.property(p);
    if (!p.nullable) required.push(p.name);
  }
  const input: JsonSchema = { type: 'object', properties, ...(required.length > 0 ? { required: required.sort() } : {}), additionalProperties: false };
  const returns = fn.returnType;
  const output: JsonSchema = returns ? schemas.type(returns) : { type: 'object', properties: {}, additionalProperties: false };
  const collection = returns !== undefined && returns.startsWith('Collection(');
  const structured = returns !== undefined && !collection && !returns.startsWith('Edm.') && !model.enumTypes.has(returns);
  const pointer = returns === undefined ? '' : v2 ? (collection ? '/d/results' : '/d') : structured ? '' : '/value';

  let request: RequestTemplate;
  if (v2) {
    const query: ParameterBinding[] = fn.parameters.map((p) => ({ name: p.name, from: [`/${p.name}`], format: 'odata-key' }));
    request = { method: fn.method, path: `/${fn.name}`, pathParameters: {}, query: [{ name: '$format', value: 'json', format: 'plain' }, ...query], headers: [ACCEPT_JSON], response: { pointer, status: 200 } };
  } else if (fn.kind === 'function') {
    const args = fn.parameters.map((p) => `${p.name}=@${p.name}`).join(',');
    const query: ParameterBinding[] = fn.parameters.map((p) => ({ name: `@${p.name}`, from: [`/${p.name}`], format: 'odata-key' }));
    request = { method: 'GET', path: `/${fn.name}(${args})`, pathParameters: {}, query, headers: [ACCEPT_JSON], response: { pointer, status: 200 } };
  } else {
    request = { method: 'POST', path: `/${fn.name}`, pathParameters: {}, query: [], headers: [ACCEPT_JSON], body: { from: '', contentType: 'application/json' }, response: { pointer, status: returns ? 200 : 204 } };
  }
  return {
    action: { name, kind: 'Function', function: fn.name, source: fn.path, input: { $ref: `#/definitions/${name}Input` }, output: output.$ref !== undefined ? output : { $ref: `#/definitions/${name}Output` }, request },
    definitions: { [`${name}Input`]: input, ...(output.$ref !== undefined ? {} : { [`${name}Output`]: output }) },
  };
}
