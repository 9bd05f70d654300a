/**
 * The standard actions of one entity, shared by every generator: Get<Entity>, Search<Entities>,
 * Count<Entities>, Create<Entity>, Update<Entity>, Delete<Entity>. A generator describes the
 * entity once (attributes, key, and the request behind each operation it supports); this file
 * turns that into actions with input and output schemas of the same shape for every system.
 */
import type { CatalogAction, CatalogEntity, JsonSchema, RequestTemplate } from '../core/catalog.ts';
import type { Operation } from '../generated/manifests.ts';

export interface ModelAttribute {
  name: string;
  schema: JsonSchema;
  /** Required when creating. */
  required: boolean;
  /** Set by the system, never sent on create or update. */
  readOnly: boolean;
  filterable: boolean;
  sortable: boolean;
}

/** An input of an operation besides the standard ones: a key property, a path or query parameter. */
export interface ModelInput {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

export interface SearchCapabilities {
  /** Filter operators of the basic filters (`eq`, `gt`, ...); empty: no basic filters. */
  operators: string[];
  /** Attributes that basic filters may name; undefined: every filterable attribute. */
  filterAttributes?: string[];
  /** An advanced filter expression in the system's own syntax. */
  advancedFilter: boolean;
  /** Attributes that can be ordered by; undefined: every sortable attribute. */
  orderAttributes?: string[];
  basicOrder: boolean;
  advancedOrder: boolean;
  paging: 'skip-top' | 'page' | 'none';
  /** The schema the value of a basic filter on an attribute must match, where the system says (an OpenAPI query parameter's). */
  filterValues?: Record<string, JsonSchema>;
  /** The most ordering criteria one request takes (one, where the API takes a field and a direction); undefined: any. */
  orderLimit?: number;
}

export interface OperationModel {
  source: string;
  summary?: string;
  request: RequestTemplate;
  /** The inputs that address the record or the collection (keys, path parameters, required query parameters). */
  inputs: ModelInput[];
  /** Search and Count: what can be filtered, ordered and paged. */
  search?: SearchCapabilities;
  /**
   * What the call returns: the record, nothing worth reading, or a body the specification does
   * not describe (a media type without a schema), returned as it is received.
   */
  returns: 'entity' | 'nothing' | 'any';
  /**
   * Create and Update: the schema of the record they send, where the system describes the
   * request apart from the entity (an OpenAPI request body); null: the request has no body.
   * Undefined: the record is made of the entity's writable attributes.
   */
  record?: JsonSchema | null;
}

export interface EntityModel {
  name: string;
  /** Singular type name (`Customer`); actions use it and its plural. */
  typeName: string;
  pluralName: string;
  source: string;
  /** The attribute names of the key, where the specification says. */
  keyAttributes: string[];
  attributes: ModelAttribute[];
  /**
   * The record as the specification gives it, where it is not an object with properties (a
   * `oneOf`, an array, a schema of another kind): the entity's structure, kept rather than emptied.
   */
  record?: JsonSchema;
  operations: Partial<Record<Operation, OperationModel>>;
}

export interface BuiltEntity {
  entity: CatalogEntity;
  actions: CatalogAction[];
  definitions: Record<string, JsonSchema>;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

/**
 * The catalog entity, its actions and their named schemas, for the operations and attributes
 * selected (attributes undefined: all). Keys are always kept, selected or not. The entity's
 * structure describes what is read, so it is open to fields the specification does not name (an
 * API adds fields over time); with a selection the entity lists its attributes, and the runtime
 * projects what it reads onto them. What is sent (Create and Update records) stays closed.
 */
export function buildEntityActions(model: EntityModel, operations: readonly Operation[], attributes: readonly string[] | undefined): BuiltEntity {
  const wanted = attributes ? new Set([...attributes, ...model.keyAttributes]) : undefined;
  const selected = model.attributes.filter((a) => !wanted || wanted.has(a.name));
  const read = model.attributes.length === 0 && model.record !== undefined ? model.record : open(structure(selected, model.keyAttributes));
  const definitions: Record<string, JsonSchema> = { [model.typeName]: read };
  const actions: CatalogAction[] = [];

  for (const operation of operations) {
    const op = model.operations[operation];
    if (!op) continue;
    const name = actionName(operation, model);
    const { input, output } = schemasFor(operation, model, selected, op);
    definitions[`${name}Input`] = input;
    if (output.$ref === undefined) definitions[`${name}Output`] = output;
    actions.push({
      name,
      kind: operation,
      entity: model.name,
      ...(op.summary ? { summary: op.summary } : {}),
      source: op.source,
      input: ref(`${name}Input`),
      output: output.$ref === undefined ? ref(`${name}Output`) : output,
      request: op.request,
    });
  }
  const entity: CatalogEntity = {
    name: model.name,
    typeName: model.typeName,
    key: model.keyAttributes,
    ...(wanted ? { attributes: selected.map((a) => a.name).sort() } : {}),
    actions: actions.map((a) => a.name),
    source: model.source,
  };
  return { entity, actions, definitions };
}

/** `GetCustomer`, `SearchCustomers`, `CountCustomers`, ... */
export function actionName(operation: Operation, model: Pick<EntityModel, 'typeName' | 'pluralName'>): string {
  return operation === 'Search' || operation === 'Count' ? `${operation}${model.pluralName}` : `${operation}${model.typeName}`;
}

function schemasFor(operation: Operation, model: EntityModel, selected: ModelAttribute[], op: OperationModel): { input: JsonSchema; output: JsonSchema } {
  const keys = inputObject(op.inputs);
  const entityOut = op.returns === 'entity' ? ref(model.typeName) : op.returns === 'any' ? {} : empty();
  switch (operation) {
    case 'Get':
      return { input: keys, output: entityOut };
    case 'Delete':
      return { input: keys, output: empty() };
    case 'Search':
      return { input: merge(keys, searchInput(selected, op.search, true)), output: searchOutput(model.typeName, op) };
    case 'Count':
      return { input: merge(keys, searchInput(selected, op.search, false)), output: object({ count: { type: 'integer', minimum: 0 } }, ['count']) };
    case 'Create': {
      const writable = selected.filter((a) => !a.readOnly);
      const record = op.record ?? structure(writable, writable.filter((a) => a.required).map((a) => a.name));
      return { input: op.record === null ? keys : merge(keys, object({ record }, ['record'])), output: entityOut };
    }
    case 'Update': {
      const keyNames = new Set(model.keyAttributes);
      const record = op.record ?? structure(selected.filter((a) => !a.readOnly && !keyNames.has(a.name)), []);
      return { input: op.record === null ? keys : merge(keys, object({ record }, ['record'])), output: entityOut };
    }
  }
}

function structure(attributes: readonly ModelAttribute[], required?: string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const a of attributes) properties[a.name] = a.schema;
  const names = new Set(Object.keys(properties));
  return object(properties, (required ?? []).filter((r) => names.has(r)));
}

function inputObject(inputs: readonly ModelInput[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const input of inputs) properties[input.name] = input.schema;
  return object(properties, inputs.filter((i) => i.required).map((i) => i.name));
}

/** Two closed object schemas as one: properties and required lists joined. */
function merge(a: JsonSchema, b: JsonSchema): JsonSchema {
  const properties = { ...(a.properties as Record<string, JsonSchema>), ...(b.properties as Record<string, JsonSchema>) };
  const required = [...((a.required as string[] | undefined) ?? []), ...((b.required as string[] | undefined) ?? [])];
  return object(properties, required);
}

function object(properties: Record<string, JsonSchema>, required: string[]): JsonSchema {
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required: [...new Set(required)].sort() } : {}),
    additionalProperties: false,
  };
}

/** An object schema that allows fields besides its properties. */
function open(schema: JsonSchema): JsonSchema {
  const { additionalProperties: _closed, ...rest } = schema;
  return rest;
}

function empty(): JsonSchema {
  return { type: 'object', properties: {}, additionalProperties: false };
}

const FILTER_VALUE: JsonSchema = {
  description: 'The value to compare with; for in, a list of values.',
  type: ['string', 'number', 'boolean', 'null', 'array'],
  items: { type: ['string', 'number', 'boolean', 'null'] },
};

function searchInput(attributes: readonly ModelAttribute[], caps: SearchCapabilities | undefined, withOrderAndPaging: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  if (!caps) return object(properties, []);
  const names = new Set(attributes.map((a) => a.name));
  const filterable = (caps.filterAttributes ?? attributes.filter((a) => a.filterable).map((a) => a.name)).filter((n) => names.has(n)).sort();
  if (caps.operators.length > 0 && filterable.length > 0) {
    const item = object(
      {
        attribute: { type: 'string', enum: filterable },
        operator: { type: 'string', enum: caps.operators },
        value: FILTER_VALUE,
      },
      ['attribute', 'operator', 'value'],
    );
    const typed = filterable.filter((name) => caps.filterValues?.[name] !== undefined);
    if (typed.length > 0) item.allOf = typed.map((name) => filterValueRule(name, caps.filterValues![name]!));
    properties.filters = { description: 'Basic filters, all of which must hold.', type: 'array', items: item };
  }
  if (caps.advancedFilter) properties.filter = { type: 'string', description: "An advanced filter, in the system's own filter syntax." };
  if (withOrderAndPaging) {
    const sortable = (caps.orderAttributes ?? attributes.filter((a) => a.sortable).map((a) => a.name)).filter((n) => names.has(n)).sort();
    if (caps.basicOrder && sortable.length > 0) {
      properties.orderBy = {
        description: 'Basic ordering, first criterion first.',
        type: 'array',
        items: object({ attribute: { type: 'string', enum: sortable }, direction: { type: 'string', enum: ['asc', 'desc'] } }, ['attribute']),
        ...(caps.orderLimit !== undefined ? { maxItems: caps.orderLimit } : {}),
      };
    }
    if (caps.advancedOrder) properties.order = { type: 'string', description: "An advanced ordering, in the system's own syntax." };
    if (caps.paging === 'skip-top') {
      properties.skip = { type: 'integer', minimum: 0, description: 'Records to skip.' };
      properties.top = { type: 'integer', minimum: 1, description: 'Most records to return.' };
    } else if (caps.paging === 'page') {
      properties.page = { type: 'integer', minimum: 1, description: 'The page to return, from 1.' };
      properties.pageSize = { type: 'integer', minimum: 1, description: 'Records per page.' };
    }
  }
  return object(properties, []);
}

/** A filter on `attribute` takes the values its parameter takes: `if attribute is X then value matches X's schema`. */
function filterValueRule(attribute: string, schema: JsonSchema): JsonSchema {
  return { if: { properties: { attribute: { const: attribute } }, required: ['attribute'] }, then: { properties: { value: schema } } };
}

function searchOutput(typeName: string, op: OperationModel): JsonSchema {
  const properties: Record<string, JsonSchema> = { items: { type: 'array', items: ref(typeName) } };
  if (op.request.response.count !== undefined) properties.count = { type: 'integer', minimum: 0 };
  if (op.request.paging?.nextLink !== undefined) properties.nextLink = { type: 'string' };
  return object(properties, ['items']);
}
