import type { JsonSchema, ParameterBinding, RequestTemplate } from '../../core/catalog.ts';
import type { ModelInput, SearchCapabilities } from '../standard-actions.ts';
import { escape, type SchemaConverter } from './openapi-schemas.ts';
import type { RawOperation } from './infer-resources.ts';

/** A resolved parameter of an operation. */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: unknown;
  at: string;
}

/** Property names that hold the list in a list response wrapped in an object, most likely first. */
const LIST_PROPERTIES = ['items', 'value', 'data', 'results', 'records', 'content', 'elements', 'entries'];
const FILTER_PARAMS = ['filter', '$filter', 'filters', 'where'];
const ORDER_PARAMS = ['orderBy', 'orderby', '$orderby', 'order_by', 'sort', 'sortBy', 'sort_by'];
/** A direction beside the field to order by: GitHub's `sort` + `direction`, or `sort` + `order`. */
const DIRECTION_PARAMS = ['direction', 'order', 'sort_order', 'sortOrder', 'sort_direction', 'sortDirection', 'dir'];
const SKIP_PARAMS = ['skip', '$skip', 'offset'];
const TOP_PARAMS = ['top', '$top', 'limit'];
const PAGE_PARAMS = ['page', 'pageNumber', 'page_number'];
const PAGE_SIZE_PARAMS = ['per_page', 'perPage', 'pageSize', 'page_size', 'size', 'limit'];
const COUNT_PROPERTIES = ['total_count', 'totalCount', 'total', 'count', '@odata.count'];
const NEXT_PROPERTIES = ['next', 'nextLink', 'next_link', '@odata.nextLink'];

/** The parameters of an operation with `$ref`s followed; operation-level ones win over path-level ones. */
export function parametersOf(op: RawOperation, schemas: SchemaConverter): Parameter[] {
  const byKey = new Map<string, Parameter>();
  for (const [i, raw] of op.parameters.entries()) {
    let node = raw;
    let at = `${op.pointer}/parameters/${i}`;
    if (node && typeof node === 'object' && typeof (node as Record<string, unknown>).$ref === 'string') {
      const target = schemas.resolve((node as Record<string, string>).$ref!, `${at}/$ref`);
      if (!target) continue;
      node = target.value;
      at = target.at;
    }
    if (node === null || typeof node !== 'object') continue;
    const p = node as Record<string, unknown>;
    if (typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(String(p.in))) continue;
    const schema = p.schema ?? firstMediaSchema(p.content) ?? { type: 'string' };
    byKey.set(`${String(p.in)}:${p.name}`, { name: p.name, in: p.in as Parameter['in'], required: p.required === true || p.in === 'path', schema, at: `${at}/schema` });
  }
  return [...byKey.values()];
}

/** The success response of an operation: its status, and its media type and JSON schema if it has a body. */
export function successResponse(op: RawOperation, schemas: SchemaConverter): { status: number; schema?: unknown; mediaType?: string; at: string } | undefined {
  const responses = op.operation.responses as Record<string, unknown> | undefined;
  if (!responses || typeof responses !== 'object') return undefined;
  const codes = Object.keys(responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort();
  const code = codes[0] ?? ('default' in responses ? 'default' : undefined);
  if (code === undefined) return undefined;
  let response = responses[code];
  let at = `${op.pointer}/responses/${code}`;
  if (response && typeof response === 'object' && typeof (response as Record<string, unknown>).$ref === 'string') {
    const target = schemas.resolve((response as Record<string, string>).$ref!, `${at}/$ref`);
    response = target?.value;
    at = target?.at ?? at;
  }
  const status = /^\d+$/.test(code) ? Number(code) : 200;
  const media = pickMedia((response as Record<string, unknown> | undefined)?.content);
  if (!media) return { status, at };
  return { status, schema: media.schema, mediaType: media.type, at: `${at}/content/${escape(media.type)}/schema` };
}

/**
 * Records the media type of the success answer in the request, when it is not the
 * `application/json` every catalog assumes: the runtime asks for it in Accept. Catalogs of JSON
 * APIs keep the bytes (and the content hash) they had before the field existed.
 */
export function recordMediaType(request: RequestTemplate, mediaType: string | undefined): void {
  if (mediaType !== undefined && mediaType !== 'application/json') request.response.mediaType = mediaType;
}

/** The JSON body of an operation's request, if it takes one. */
export function requestBody(op: RawOperation, schemas: SchemaConverter): { schema: unknown; at: string; contentType: string; required: boolean } | undefined {
  let body = op.operation.requestBody;
  let at = `${op.pointer}/requestBody`;
  if (body && typeof body === 'object' && typeof (body as Record<string, unknown>).$ref === 'string') {
    const target = schemas.resolve((body as Record<string, string>).$ref!, `${at}/$ref`);
    body = target?.value;
    at = target?.at ?? at;
  }
  if (!body || typeof body !== 'object') return undefined;
  const media = pickMedia((body as Record<string, unknown>).content);
  if (!media) return undefined;
  return { schema: media.schema, at: `${at}/content/${escape(media.type)}/schema`, contentType: media.type, required: (body as Record<string, unknown>).required === true };
}

function pickMedia(content: unknown): { type: string; schema: unknown } | undefined {
  if (!content || typeof content !== 'object') return undefined;
  const types = Object.keys(content).sort();
  const type = types.find((t) => t === 'application/json') ?? types.find((t) => /[/+]json\b/.test(t)) ?? types[0];
  if (type === undefined) return undefined;
  return { type, schema: (content as Record<string, Record<string, unknown>>)[type]?.schema };
}

function firstMediaSchema(content: unknown): unknown {
  return pickMedia(content)?.schema;
}

/**
 * Where the list is in a list response: '' for a bare array, `/items` for a wrapped one. A wrapper
 * is an object whose list has a usual name (`items`, `data`, ...) or the collection's own
 * (`budgets` for `/budgets`, `workflow_runs` for `/runs`), or whose one array holds records
 * (objects) beside a count or a next link and nothing but scalars (`{ total_count, runners }`).
 * An object with one array among its other fields (GitHub's app and its `events`, a runner and
 * its `labels`) is one record. `path`: the operation's path, for the collection's name; `byShape`
 * false: only a bare array or an array named as a list counts (for a path ending in a parameter,
 * which names one item unless it plainly answers a list).
 */
export function listPointer(schema: unknown, at: string, schemas: SchemaConverter, path = '', byShape = true): { pointer: string; items: unknown; itemsAt: string; count?: string; next?: string } | undefined {
  const resolved = deref(schema, at, schemas);
  if (!resolved) return undefined;
  const node = resolved.value as Record<string, unknown>;
  if (node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array'))) {
    return { pointer: '', items: node.items, itemsAt: `${resolved.at}/items` };
  }
  const shape = schemas.objectShape(resolved.value, resolved.at);
  if (!shape) return undefined;
  const arrays: typeof shape.properties = [];
  let others = 0;
  for (const p of shape.properties) {
    const d = deref(p.schema, p.at, schemas)?.value as Record<string, unknown> | undefined;
    if (d?.type === 'array') arrays.push(p);
    else if (!PAGING_PROPERTIES.has(p.name) && (d === undefined || !isScalar(d))) others++;
  }
  const names = new Set(shape.properties.map((p) => p.name));
  const paged = COUNT_PROPERTIES.some((n) => names.has(n)) || NEXT_PROPERTIES.some((n) => names.has(n));
  const collection = path.split('/').filter((s) => s.length > 0 && !/^\{.*\}$/.test(s)).at(-1);
  const named = LIST_PROPERTIES.map((n) => arrays.find((a) => a.name === n)).find((a) => a !== undefined)
    ?? (collection === undefined ? undefined : arrays.find((a) => a.name === collection || a.name.endsWith(`_${collection}`)))
    ?? (byShape ? arrays.find((a) => LIST_SUFFIX.test(a.name)) : undefined);
  const only = byShape && arrays.length === 1 && others === 0 && paged && holdsRecords(arrays[0]!, schemas) ? arrays[0] : undefined;
  const chosen = named ?? only;
  if (!chosen) return undefined;
  const d = deref(chosen.schema, chosen.at, schemas)!;
  const count = COUNT_PROPERTIES.find((n) => names.has(n) && n !== chosen.name);
  const next = NEXT_PROPERTIES.find((n) => names.has(n));
  return {
    pointer: `/${escape(chosen.name)}`,
    items: (d.value as Record<string, unknown>).items,
    itemsAt: `${d.at}/items`,
    ...(count ? { count: `/${escape(count)}` } : {}),
    ...(next ? { next: `/${escape(next)}` } : {}),
  };
}

/** Array names that say they hold the list: `usageItems`, `repository_list`. */
const LIST_SUFFIX = /[a-z0-9](_items|_list|_results|_records|Items|List|Results|Records)$/;
/** Objects a list wrapper may carry beside its list. */
const PAGING_PROPERTIES = new Set(['meta', 'links', '_links', 'pagination', 'paging', 'page', 'pageInfo', 'page_info', 'cursor']);
const SCALARS = new Set(['string', 'integer', 'number', 'boolean', 'null']);

function isScalar(schema: Record<string, unknown>): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.every((t) => typeof t === 'string' && SCALARS.has(t));
}

/** Whether an array property holds objects (records), not strings or numbers. */
function holdsRecords(property: { schema: unknown; at: string }, schemas: SchemaConverter): boolean {
  const array = deref(property.schema, property.at, schemas);
  const items = array ? deref((array.value as Record<string, unknown>).items, `${array.at}/items`, schemas) : undefined;
  if (!items) return false;
  const node = items.value as Record<string, unknown>;
  return node.type === 'object' || node.properties !== undefined || Array.isArray(node.allOf) || Array.isArray(node.oneOf) || Array.isArray(node.anyOf);
}

/** Follows `$ref`s at the top of a schema. */
export function deref(schema: unknown, at: string, schemas: SchemaConverter): { value: unknown; at: string } | undefined {
  let node = schema;
  let where = at;
  for (let i = 0; i < 16; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref !== 'string') return { value: node, at: where };
    const target = schemas.resolve(ref, `${where}/$ref`);
    if (!target) return undefined;
    node = target.value;
    where = target.at;
  }
  return undefined;
}

const pathBinding = (name: string): ParameterBinding => ({ name, from: [`/${escape(name)}`], format: 'plain' });

/** A request template and the inputs it needs, for the parameters given. */
export function baseRequest(op: RawOperation, parameters: Parameter[], schemas: SchemaConverter): { request: RequestTemplate; inputs: ModelInput[] } {
  const pathParameters: Record<string, ParameterBinding> = {};
  const inputs: ModelInput[] = [];
  for (const p of parameters.filter((x) => x.in === 'path')) {
    pathParameters[p.name] = pathBinding(p.name);
    inputs.push({ name: p.name, schema: schemas.convert(p.schema, p.at), required: true });
  }
  const request: RequestTemplate = { method: op.method.toUpperCase() as RequestTemplate['method'], path: op.path, pathParameters, query: [], headers: [], response: { pointer: '' } };
  return { request, inputs };
}

/**
 * Search capabilities and query bindings, from the parameters a list operation takes. Optional
 * query parameters named like attributes are basic `eq` filters; a required one stays an input of
 * its own (see parameterInputs), with its schema. Ordering follows the API's own parameters: a
 * field and a direction (`sort=comments&direction=desc`, one criterion) where it takes both,
 * else one comma-separated list (`orderBy=-price,name`). Given `schemas`, a filter's value is
 * typed by its parameter's schema (enum and all).
 */
export function searchBindings(parameters: Parameter[], attributes: Set<string>, schemas?: SchemaConverter): { caps: SearchCapabilities; query: ParameterBinding[]; used: Set<string> } {
  const query: ParameterBinding[] = [];
  const used = new Set<string>();
  const queryParams = parameters.filter((p) => p.in === 'query' && !p.required);
  const named = (names: string[]): Parameter | undefined => names.map((n) => queryParams.find((p) => p.name === n && !used.has(p.name))).find((p) => p !== undefined);

  const filterAttributes = queryParams.filter((p) => attributes.has(p.name)).map((p) => p.name).sort();
  const filterValues: Record<string, JsonSchema> = {};
  for (const name of filterAttributes) {
    query.push({ name, from: ['/filters'], format: 'plain', attribute: name });
    used.add(name);
    const p = queryParams.find((x) => x.name === name)!;
    if (schemas) filterValues[name] = schemas.convert(p.schema, p.at);
  }
  const filter = named(FILTER_PARAMS);
  if (filter) {
    query.push({ name: filter.name, from: ['/filter'], format: 'plain' });
    used.add(filter.name);
  }
  const order = named(ORDER_PARAMS);
  const direction = order ? named(DIRECTION_PARAMS.filter((n) => n !== order.name)) : undefined;
  const separateDirection = direction !== undefined && takesAscDesc(direction.schema);
  if (order && separateDirection) {
    query.push({ name: order.name, from: ['/orderBy', '/order'], format: 'order-attribute' }, { name: direction.name, from: ['/orderBy', '/order'], format: 'order-direction' });
    used.add(order.name).add(direction.name);
  } else if (order) {
    query.push({ name: order.name, from: ['/orderBy', '/order'], format: 'csv' });
    used.add(order.name);
  }
  let paging: SearchCapabilities['paging'] = 'none';
  const skip = named(SKIP_PARAMS);
  const top = named(TOP_PARAMS);
  const page = named(PAGE_PARAMS);
  const size = named(PAGE_SIZE_PARAMS);
  if (skip && top) {
    paging = 'skip-top';
    query.push({ name: skip.name, from: ['/skip'], format: 'plain' }, { name: top.name, from: ['/top'], format: 'plain' });
    used.add(skip.name).add(top.name);
  } else if (page && size) {
    paging = 'page';
    query.push({ name: page.name, from: ['/page'], format: 'plain' }, { name: size.name, from: ['/pageSize'], format: 'plain' });
    used.add(page.name).add(size.name);
  }
  const orderAttributes = order ? enumValues(order.schema)?.filter((v) => attributes.has(v)) : undefined;
  const caps: SearchCapabilities = {
    operators: filterAttributes.length > 0 ? ['eq'] : [],
    filterAttributes,
    ...(schemas && filterAttributes.length > 0 ? { filterValues } : {}),
    advancedFilter: filter !== undefined,
    ...(orderAttributes ? { orderAttributes } : {}),
    basicOrder: order !== undefined,
    advancedOrder: order !== undefined,
    paging,
    ...(separateDirection ? { orderLimit: 1 } : {}),
  };
  return { caps, query, used };
}

/** Whether a parameter takes `asc` and `desc` (and so is a sort direction); any string does. */
function takesAscDesc(schema: unknown): boolean {
  const values = enumValues(schema);
  if (values === undefined) return schema !== null && typeof schema === 'object' && (schema as Record<string, unknown>).type === 'string';
  return values.includes('asc') && values.includes('desc');
}

function enumValues(schema: unknown): string[] | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const node = schema as Record<string, unknown>;
  const values = Array.isArray(node.enum) ? node.enum : Array.isArray((node.items as Record<string, unknown> | undefined)?.enum) ? ((node.items as Record<string, unknown>).enum as unknown[]) : undefined;
  return values?.map(String);
}

/** Headers OpenAPI says a parameter cannot describe: the request's media types and authentication are the runtime's. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

/** Whether a parameter is one the runtime sends for the caller: a cookie, or a header OpenAPI says to ignore. */
export function ignoredParameter(p: Parameter): boolean {
  return p.in === 'cookie' || (p.in === 'header' && IGNORED_HEADERS.has(p.name.toLowerCase()));
}

/**
 * Every query and header parameter no standard input covers, as an input of its own with its
 * schema (enum and all) and required flag, sent as the API names it. A parameter whose name an
 * input already has (`record`, `filters`, a path parameter, a header and a query parameter of one
 * name) is taken as `<name>_<in>`. Cookies are left out: the runtime sends none.
 */
export function parameterInputs(parameters: Parameter[], used: Set<string>, taken: Set<string>, schemas: SchemaConverter): { inputs: ModelInput[]; query: ParameterBinding[]; headers: ParameterBinding[] } {
  const inputs: ModelInput[] = [];
  const query: ParameterBinding[] = [];
  const headers: ParameterBinding[] = [];
  const names = new Set(taken);
  for (const p of parameters) {
    if (p.in === 'path' || ignoredParameter(p) || (p.in === 'query' && used.has(p.name))) continue;
    const name = names.has(p.name) ? `${p.name}_${p.in}` : p.name;
    names.add(name);
    inputs.push({ name, schema: schemas.convert(p.schema, p.at), required: p.required });
    (p.in === 'query' ? query : headers).push({ name: p.name, from: [`/${escape(name)}`], format: 'plain' });
  }
  return { inputs, query, headers };
}

export function schemaOrEmpty(schema: JsonSchema | undefined): JsonSchema {
  return schema ?? { type: 'object', properties: {}, additionalProperties: false };
}
