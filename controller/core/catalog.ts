/**
 * The action catalog of one generated integration: what an application can call, with the JSON
 * Schemas of inputs, outputs and entity structures, and the request that runs each action. It is
 * plain data, written as canonical JSON, so the same catalog always has the same bytes.
 */
import type { Operation, SystemKind } from '../generated/manifests.ts';

/** A JSON Schema (draft-07 subset); `$ref`s point into the catalog's `definitions`. */
export type JsonSchema = { [key: string]: unknown };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'MERGE' | 'DELETE';

/** How one query parameter (or header) is filled from the action's input. */
export interface ParameterBinding {
  name: string;
  /** JSON pointers into the input; the runtime combines them as `format` says. */
  from?: string[];
  /** A constant value, sent as is. */
  value?: string;
  /** With `from: ['/filters']`: the parameter carries the value of the basic `eq` filter on this attribute. */
  attribute?: string;
  /**
   * `plain`: the value as text; `csv`: a list joined with commas; `odata-filter`: basic filters
   * and the advanced filter text joined into one `$filter` expression; `odata-orderby`: basic
   * and advanced ordering as one `$orderby` list; `odata-key`: an OData key literal;
   * `order-attribute` and `order-direction`: the attribute and the direction (`asc`, `desc`) of the
   * one ordering criterion, from basic ordering or from advanced ordering written `-attribute`.
   */
  format: 'plain' | 'csv' | 'odata-filter' | 'odata-orderby' | 'odata-key' | 'order-attribute' | 'order-direction';
}

export interface PagingSpec {
  /** skip-top: the caller pages with skip and top; page: with a page number and a page size. */
  style: 'skip-top' | 'page' | 'none';
  /** A JSON pointer into the response where the link to the next page is, when the system gives one. */
  nextLink?: string;
}

/** The request that runs an action, as templates over the action's input. */
export interface RequestTemplate {
  method: HttpMethod;
  /** Relative to the connection's endpoint; `{name}` placeholders are filled from `pathParameters`. */
  path: string;
  /** Placeholder -> binding (from: one JSON pointer into the input). */
  pathParameters: Record<string, ParameterBinding>;
  query: ParameterBinding[];
  headers: ParameterBinding[];
  /** The request body: the input value at `from` ('' is the whole input). */
  body?: { from: string; contentType: string };
  /**
   * Where the result is in the response body ('' is the whole body), and where a total count is.
   * `mediaType`: the media type of the answer's body, when it is not `application/json` (a
   * `+json` type, `text/plain`); the runtime asks for it in Accept unless `headers` bind Accept.
   */
  response: { pointer: string; count?: string; status?: number; mediaType?: string };
  paging?: PagingSpec;
  /** Database systems: the table the action runs on; the runtime builds its SQL from this, not from the HTTP fields. */
  database?: DatabaseTarget;
}

/**
 * How a value of a column is bound and read back: `bigint` and `decimal` travel as strings (no
 * precision lost), `binary` as base64, `timestamp` without and `timestamptz` with a zone (UTC).
 */
export type ColumnCodec = 'string' | 'integer' | 'bigint' | 'decimal' | 'number' | 'boolean' | 'date' | 'time' | 'timestamp' | 'timestamptz' | 'json' | 'uuid' | 'binary';

export interface DatabaseColumn {
  codec: ColumnCodec;
  /** A PostgreSQL array of values of `codec`. */
  array?: true;
  /** Set by the database: never bound from an input. */
  generated?: true;
}

/** The table or view of a database action, as the schema snapshot names it. */
export interface DatabaseTarget {
  schema: string;
  table: string;
  /** The primary key columns, in key order. */
  key: string[];
  /** The columns the action reads or writes (the selected attributes and the key). */
  columns: Record<string, DatabaseColumn>;
  /** With `spec.nulls: typeDefaults`: the columns whose NULLs read as their type's default (core/column-defaults.ts). */
  typeDefaults?: string[];
}

export type ActionKind = Operation | 'Function';

export interface CatalogAction {
  /** `GetCustomer`, `SearchCustomers`, or the function's own name in PascalCase. */
  name: string;
  kind: ActionKind;
  /** The entity an operation belongs to; absent for functions. */
  entity?: string;
  /** The function as the specification names it (operationId, function import). */
  function?: string;
  summary?: string;
  /** Where this action comes from in the specification (JSON pointer or EDMX element path). */
  source: string;
  input: JsonSchema;
  output: JsonSchema;
  request: RequestTemplate;
}

export interface CatalogEntity {
  /** As the specification names it: the resource (`customers`) or the entity set (`A_SalesOrder`). */
  name: string;
  /** The TypeScript and definition name of its structure (`Customer`). */
  typeName: string;
  key: string[];
  /**
   * The attributes the manifest selected (and the key), when it selected some: the runtime keeps
   * only these of what it reads. Absent: every attribute, and fields the specification adds later.
   */
  attributes?: string[];
  /** The actions generated for it, by name. */
  actions: string[];
  source: string;
}

export interface ActionCatalog {
  integration: string;
  system: SystemKind;
  generator: { system: SystemKind; version: string };
  specification: { path: string; title?: string; version?: string; format: string };
  entities: CatalogEntity[];
  actions: CatalogAction[];
  /** Named schemas: entity structures (by typeName), action inputs and outputs, shared types. */
  definitions: Record<string, JsonSchema>;
}
