import type { ActionCatalog, CatalogAction, JsonSchema, ParameterBinding } from '../../core/catalog.ts';
import type { Operation } from '../../generated/manifests.ts';
import { checkSelection, resolveSelection } from '../check-selection.ts';
import { failed, ok, OPERATIONS, pointer, type GenerateInput, type Generator, type Result, type SpecDescription, type SpecProblem } from '../generator.ts';
import { actionName, buildEntityActions, type EntityModel, type ModelAttribute, type OperationModel, type SearchCapabilities } from '../standard-actions.ts';
import { inferResources, type RawFunction, type RawOperation, type Resource } from './infer-resources.ts';
import { loadOpenApi, type OpenApiDocument } from './load-openapi.ts';
import { OPENAPI_GENERATOR } from './openapi-identity.ts';
import {
  baseRequest, deref, ignoredParameter, listPointer, parameterInputs, parametersOf, recordMediaType, requestBody, schemaOrEmpty, searchBindings, successResponse,
} from './openapi-operations.ts';
import { escape, SchemaConverter } from './openapi-schemas.ts';
import { faultsForSelection } from './spec-faults.ts';
import type { IntegrationSpec } from '../../generated/manifests.ts';

interface ResourceInfo {
  resource: Resource;
  item?: { schema: unknown; at: string };
  attributes: string[];
  createRequired: Set<string>;
}

/** A parsed OpenAPI document: the document itself and the resources and functions found in it. */
export interface OpenApiModel {
  document: OpenApiDocument;
  format: string;
  nullableKeyword: boolean;
  resources: ResourceInfo[];
  functions: RawFunction[];
  /** Where the document breaks the OpenAPI schema, or could not be read: see faultsForSelection. */
  faults: SpecProblem[];
}

/**
 * Generates integrations from OpenAPI 3.0 and 3.1 documents (and Swagger 2.0, converted).
 * Entities are the resources its paths describe; every other operation is a function.
 */
export const openapiGenerator: Generator<OpenApiModel> = {
  ...OPENAPI_GENERATOR,
  parse: (specBytes) => parseOpenApi(specBytes),
  describe: (model) => describeModel(model),
  faults: (model, spec) => selectionFaults(model, spec),

  generate(a: OpenApiModel, input: GenerateInput): Result<ActionCatalog> {
    const description = describeModel(a);
    const selectionProblems = checkSelection(description, input.spec);
    if (selectionProblems.length > 0) return failed(selectionProblems);
    const selection = resolveSelection(description, input.spec);
    const faults = selectionFaults(a, input.spec);
    const faultErrors = faults.filter((f) => f.severity !== 'warning');
    if (faultErrors.length > 0) return failed(faultErrors);

    const schemas = new SchemaConverter(a.document, reservedNames(a), a.nullableKeyword);
    const byName = new Map(a.resources.map((r) => [r.resource.name, r]));
    const entities: ActionCatalog['entities'] = [];
    const actions: CatalogAction[] = [];
    const definitions: Record<string, JsonSchema> = {};
    for (const chosen of selection.entities) {
      const info = byName.get(chosen.entity.name)!;
      const model = entityModel(info, chosen.operations, chosen.attributes, schemas);
      const built = buildEntityActions(model, chosen.operations, chosen.attributes);
      entities.push(built.entity);
      actions.push(...built.actions);
      Object.assign(definitions, built.definitions);
    }
    const functions = new Map(a.functions.map((f) => [f.name, f]));
    for (const name of selection.functions) {
      const built = functionAction(functions.get(name)!, schemas);
      actions.push(built.action);
      Object.assign(definitions, built.definitions);
    }
    if (schemas.problems.length > 0) return failed(schemas.problems);
    for (const [name, schema] of schemas.definitions) definitions[name] = schema;

    const info = (a.document.info ?? {}) as Record<string, unknown>;
    const warnings = faults.filter((f) => f.severity === 'warning');
    return ok({
      integration: input.name,
      system: 'openapi',
      generator: { system: 'openapi', version: openapiGenerator.version },
      specification: {
        path: input.specPath,
        format: a.format,
        ...(typeof info.title === 'string' ? { title: info.title } : {}),
        ...(typeof info.version === 'string' ? { version: info.version } : {}),
      },
      entities,
      actions: actions.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
      definitions,
    }, warnings);
  },
};

/**
 * The document's faults as a selection sees them: what generation reads is the selected
 * functions' operations, every operation of a selected entity (its record is read from Get,
 * Search or Create), their path items' parameters, the servers, and what those refer to.
 */
function selectionFaults(a: OpenApiModel, spec: IntegrationSpec): SpecProblem[] {
  if (a.faults.length === 0) return [];
  const selection = resolveSelection(describeModel(a), spec);
  const operations: RawOperation[] = [];
  const chosen = new Set(selection.entities.map((e) => e.entity.name));
  for (const r of a.resources) {
    if (chosen.has(r.resource.name)) operations.push(...Object.values(r.resource.operations));
  }
  const functions = new Set(selection.functions);
  operations.push(...a.functions.filter((f) => functions.has(f.name)));
  const roots = new Set(['/servers']);
  for (const op of operations) roots.add(op.pointer).add(pointer('paths', op.path, 'parameters'));
  return faultsForSelection(a.document, a.faults, [...roots]);
}

/** Loads and validates the document, then finds its resources, their record schemas and attributes. */
async function parseOpenApi(bytes: Uint8Array): Promise<Result<OpenApiModel>> {
  const loaded = await loadOpenApi(bytes);
  if (!loaded.ok) return loaded;
  const { document, format, faults } = loaded.value;
  const nullableKeyword = !document.openapi.startsWith('3.1');
  const resolver = new SchemaConverter(document, new Set(), nullableKeyword);
  const isList = (op: RawOperation): boolean => {
    const response = successResponse(op, resolver);
    return response?.schema !== undefined && listPointer(response.schema, response.at, resolver, op.path, !/\}$/.test(op.path)) !== undefined;
  };
  const inferred = inferResources((document.paths ?? {}) as Record<string, unknown>, isList);
  if (inferred.problems.length > 0) return failed(inferred.problems);
  const resources: ResourceInfo[] = [];
  for (const resource of inferred.resources) {
    const item = itemSchema(resource, resolver);
    const shape = item ? resolver.objectShape(item.schema, item.at) : undefined;
    const create = resource.operations.Create ? requestBody(resource.operations.Create, resolver) : undefined;
    const createShape = create ? resolver.objectShape(create.schema, create.at) : undefined;
    resources.push({
      resource,
      ...(item ? { item } : {}),
      attributes: (shape?.properties ?? []).map((p) => p.name),
      createRequired: createShape?.required ?? shape?.required ?? new Set(),
    });
  }
  // What the resolver could not follow is a fault of the operation it was read for: it blocks
  // only a selection that uses it (a `$ref` to nothing is one already, at the `$ref` itself).
  const found = new Set(faults.map((f) => f.message));
  const unresolved = resolver.problems.filter((p) => !found.has(p.message));
  return ok({ document, format, nullableKeyword, resources, functions: inferred.functions, faults: [...faults, ...unresolved] });
}

function describeModel(a: OpenApiModel): SpecDescription {
  return {
    format: a.format,
    entities: a.resources.map((r) => ({
      name: r.resource.name,
      pointer: r.resource.pointer,
      attributes: [...r.attributes],
      operations: OPERATIONS.filter((o) => r.resource.operations[o] !== undefined),
    })),
    functions: a.functions.map((f) => ({ name: f.name, pointer: f.pointer })),
  };
}

/**
 * The record schema of a resource: what Get returns, else a search item, else the create body,
 * the first of them that is an object with properties; else the first there is, as it is.
 */
function itemSchema(resource: Resource, schemas: SchemaConverter): { schema: unknown; at: string } | undefined {
  const candidates: Array<{ schema: unknown; at: string }> = [];
  const get = resource.operations.Get ? successResponse(resource.operations.Get, schemas) : undefined;
  if (get?.schema !== undefined && get.schema !== null) candidates.push({ schema: get.schema, at: get.at });
  const search = resource.operations.Search ? successResponse(resource.operations.Search, schemas) : undefined;
  const list = search?.schema !== undefined ? listPointer(search.schema, search.at, schemas, resource.operations.Search!.path) : undefined;
  if (list?.items !== undefined) candidates.push({ schema: list.items, at: list.itemsAt });
  const create = resource.operations.Create ? requestBody(resource.operations.Create, schemas) : undefined;
  if (create && create.schema !== undefined && create.schema !== null) candidates.push({ schema: create.schema, at: create.at });
  return candidates.find((c) => schemas.objectShape(c.schema, c.at) !== undefined) ?? candidates[0];
}

/** Every name an entity or action takes, so component schemas are named around them. */
function reservedNames(a: OpenApiModel): Set<string> {
  const names = new Set<string>();
  for (const r of a.resources) {
    names.add(r.resource.typeName);
    for (const op of OPERATIONS) {
      if (!r.resource.operations[op]) continue;
      const name = actionName(op, r.resource);
      names.add(`${name}Input`).add(`${name}Output`);
    }
  }
  for (const f of a.functions) names.add(`${f.actionName}Input`).add(`${f.actionName}Output`);
  return names;
}

function entityModel(info: ResourceInfo, selectedOperations: readonly Operation[], attributes: string[] | undefined, schemas: SchemaConverter): EntityModel {
  const { resource } = info;
  const shape = info.item ? schemas.objectShape(info.item.schema, info.item.at) : undefined;
  const all = new Set(info.attributes);
  const getParams = resource.operations.Get ? parametersOf(resource.operations.Get, schemas) : [];
  const idParam = getParams.filter((p) => p.in === 'path').at(-1)?.name;
  const keyAttributes = idParam !== undefined && all.has(idParam) ? [idParam] : all.has('id') ? ['id'] : [];
  const wanted = attributes ? new Set([...attributes, ...keyAttributes]) : all;

  const searchParams = resource.operations.Search ? parametersOf(resource.operations.Search, schemas) : [];
  const search = searchBindings(searchParams, all);
  const modelAttributes: ModelAttribute[] = [];
  for (const property of shape?.properties ?? []) {
    if (!wanted.has(property.name)) continue;
    const resolved = deref(property.schema, property.at, schemas)?.value as Record<string, unknown> | undefined;
    modelAttributes.push({
      name: property.name,
      schema: schemas.convert(property.schema, property.at),
      required: info.createRequired.has(property.name),
      readOnly: resolved?.readOnly === true,
      filterable: search.caps.filterAttributes?.includes(property.name) ?? false,
      sortable: search.caps.basicOrder,
    });
  }

  const operations: Partial<Record<Operation, OperationModel>> = {};
  for (const operation of selectedOperations) {
    const op = resource.operations[operation];
    if (op) operations[operation] = operationModel(operation, op, schemas, all, attributes ? wanted : undefined);
  }
  return {
    name: resource.name,
    typeName: resource.typeName,
    pluralName: resource.pluralName,
    source: resource.pointer,
    keyAttributes,
    attributes: modelAttributes,
    ...(!shape && info.item ? { record: schemas.convert(info.item.schema, info.item.at) } : {}),
    operations,
  };
}

/** The inputs a standard action has besides its parameters, for the search capabilities and body it has. */
function standardInputs(operation: Operation, caps: SearchCapabilities, hasBody: boolean): string[] {
  if (operation === 'Create' || operation === 'Update') return hasBody ? ['record'] : [];
  if (operation !== 'Search' && operation !== 'Count') return [];
  const names = ['filters', ...(caps.advancedFilter ? ['filter'] : [])];
  if (operation === 'Count') return names;
  if (caps.basicOrder) names.push('orderBy', 'order');
  if (caps.paging === 'skip-top') names.push('skip', 'top');
  if (caps.paging === 'page') names.push('page', 'pageSize');
  return names;
}

/**
 * One standard action of an entity: its path parameters, every other parameter the operation
 * declares (see parameterInputs), search bindings for Search and Count, and for Create and Update
 * the record as the request body describes it. `selected`: the attributes an `attributes`
 * selection keeps (undefined: all).
 */
function operationModel(operation: Operation, op: RawOperation, schemas: SchemaConverter, attributes: Set<string>, selected: Set<string> | undefined): OperationModel {
  const parameters = parametersOf(op, schemas);
  const search = searchBindings(parameters, attributes, operation === 'Search' || operation === 'Count' ? schemas : undefined);
  const { request, inputs } = baseRequest(op, parameters, schemas);
  const summary = typeof op.operation.summary === 'string' ? op.operation.summary : undefined;
  const response = successResponse(op, schemas);
  const used = new Set<string>(operation === 'Search' || operation === 'Count' ? search.used : []);
  const body = operation === 'Create' || operation === 'Update' ? requestBody(op, schemas) : undefined;
  const extras = parameterInputs(parameters, used, new Set([...standardInputs(operation, search.caps, body !== undefined), ...inputs.map((i) => i.name)]), schemas);
  inputs.push(...extras.inputs);
  request.query.push(...extras.query);
  request.headers.push(...extras.headers);
  if (response?.status !== undefined) request.response.status = response.status;
  recordMediaType(request, response?.mediaType);

  if (operation === 'Search' || operation === 'Count') {
    const bindings = search.query.filter((b) => operation === 'Search' || b.from?.[0] === '/filters' || b.from?.[0] === '/filter');
    request.query.push(...bindings);
    if (operation === 'Search' && response?.schema !== undefined) {
      const list = listPointer(response.schema, response.at, schemas, op.path);
      if (list) {
        request.response.pointer = list.pointer;
        if (list.count) request.response.count = list.count;
        request.paging = { style: search.caps.paging, ...(list.next ? { nextLink: list.next } : {}) };
      }
    }
    if (operation === 'Count' && response?.schema !== undefined) {
      const resolved = deref(response.schema, response.at, schemas)?.value as Record<string, unknown> | undefined;
      const shape = resolved && resolved.type !== 'integer' && resolved.type !== 'number' ? schemas.objectShape(resolved, response.at) : undefined;
      const countProperty = shape?.properties.find((p) => ['count', 'total', 'totalCount', 'total_count', '@odata.count'].includes(p.name));
      if (countProperty) request.response.pointer = `/${escape(countProperty.name)}`;
    }
    const caps = operation === 'Count' ? { ...search.caps, basicOrder: false, advancedOrder: false, paging: 'none' as const } : search.caps;
    return { source: op.pointer, ...(summary ? { summary } : {}), request, inputs, search: caps, returns: 'entity' };
  }
  const returns = operation === 'Delete' ? 'nothing' : response?.schema !== undefined && response.schema !== null ? 'entity' : response?.mediaType !== undefined ? 'any' : 'nothing';
  if (operation === 'Create' || operation === 'Update') {
    if (body) request.body = { from: '/record', contentType: body.contentType };
    const record = body ? recordSchema(body, schemas, attributes, selected) : null;
    return { source: op.pointer, ...(summary ? { summary } : {}), request, inputs, returns, record };
  }
  return { source: op.pointer, ...(summary ? { summary } : {}), request, inputs, returns };
}

/**
 * The record Create or Update sends: the request body's own fields, types and required list, not
 * the entity's read model (GitHub takes `assignees` as logins, and answers with user objects).
 * Read-only fields are left out. An `attributes` selection narrows the fields the body shares
 * with the entity; fields only the body has, and those it requires, stay, or the action could
 * never be called. A body that is not an object with properties is taken as it is.
 */
function recordSchema(body: { schema: unknown; at: string }, schemas: SchemaConverter, attributes: Set<string>, selected: Set<string> | undefined): JsonSchema {
  const shape = schemas.objectShape(body.schema, body.at);
  if (!shape) return schemas.convert(body.schema, body.at);
  const properties: Record<string, JsonSchema> = {};
  for (const property of shape.properties) {
    const resolved = deref(property.schema, property.at, schemas)?.value as Record<string, unknown> | undefined;
    if (resolved?.readOnly === true) continue;
    if (selected && attributes.has(property.name) && !selected.has(property.name) && !shape.required.has(property.name)) continue;
    properties[property.name] = schemas.convert(property.schema, property.at);
  }
  const required = [...shape.required].filter((name) => name in properties).sort();
  const top = deref(body.schema, body.at, schemas)?.value as Record<string, unknown> | undefined;
  const bounds: JsonSchema = {};
  for (const keyword of ['minProperties', 'maxProperties']) if (typeof top?.[keyword] === 'number') bounds[keyword] = top[keyword];
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), ...bounds, additionalProperties: false };
}

/** A function: its parameters by name (and `body`) in, its success response out. */
function functionAction(fn: RawFunction, schemas: SchemaConverter): { action: CatalogAction; definitions: Record<string, JsonSchema> } {
  const parameters = parametersOf(fn, schemas);
  const { request } = baseRequest(fn, parameters, schemas);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parameters) {
    if (ignoredParameter(p) || p.name in properties) continue;
    properties[p.name] = schemas.convert(p.schema, p.at);
    if (p.required) required.push(p.name);
    const binding: ParameterBinding = { name: p.name, from: [`/${escape(p.name)}`], format: 'plain' };
    if (p.in === 'query') request.query.push(binding);
    if (p.in === 'header') request.headers.push(binding);
  }
  const body = requestBody(fn, schemas);
  if (body) {
    const key = 'body' in properties ? 'requestBody' : 'body';
    properties[key] = schemas.convert(body.schema, body.at);
    if (body.required) required.push(key);
    request.body = { from: `/${key}`, contentType: body.contentType };
  }
  const response = successResponse(fn, schemas);
  if (response) request.response.status = response.status;
  recordMediaType(request, response?.mediaType);
  // A media type without a schema (or `schema: null`) is a body of any shape, returned as received.
  const output = response?.schema !== undefined ? schemas.convert(response.schema, response.at) : response?.mediaType !== undefined ? {} : undefined;
  const input: JsonSchema = { type: 'object', properties, ...(required.length > 0 ? { required: [...new Set(required)].sort() } : {}), additionalProperties: false };
  const summary = typeof fn.operation.summary === 'string' ? fn.operation.summary : undefined;
  return {
    action: {
      name: fn.actionName,
      kind: 'Function',
      function: fn.name,
      ...(summary ? { summary } : {}),
      source: fn.pointer,
      input: { $ref: `#/definitions/${fn.actionName}Input` },
      output: output?.$ref !== undefined ? output : { $ref: `#/definitions/${fn.actionName}Output` },
      request,
    },
    definitions: { [`${fn.actionName}Input`]: input, ...(output?.$ref !== undefined ? {} : { [`${fn.actionName}Output`]: schemaOrEmpty(output) }) },
  };
}
