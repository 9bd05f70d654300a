import type { ActionCatalog, CatalogAction, DatabaseColumn, DatabaseTarget, JsonSchema, RequestTemplate } from '../../core/catalog.ts';
import type { Operation } from '../../generated/manifests.ts';
import { checkSelection, resolveSelection } from '../check-selection.ts';
import { failed, ok, pointer, type GenerateInput, type Generator, type Result, type SpecDescription } from '../generator.ts';
import { pascalCase, plural, singular, uniqueNames } from '../naming.ts';
import { buildEntityActions, type EntityModel, type ModelAttribute, type OperationModel, type SearchCapabilities } from '../standard-actions.ts';
import { typeDefault } from '../../core/column-defaults.ts';
import { columnType, orNull, type ColumnType } from './column-types.ts';
import { readSnapshot, type DatabaseSystem, type SchemaSnapshot, type SnapshotTable } from './schema-snapshot.ts';

/**
 * The filter operators of database Search and Count: comparisons, `in` (a list), `isnull` (true
 * or false), and text matching; the `i` variants ignore case. Text matching applies to text
 * columns only, comparisons to columns with an order (not json, binary or arrays).
 */
export const SQL_OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'isnull', 'contains', 'startswith', 'endswith', 'ieq', 'icontains', 'istartswith', 'iendswith'] as const;
export type SqlOperator = (typeof SQL_OPERATORS)[number];

const WRITE: readonly Operation[] = ['Create', 'Update', 'Delete'];

/**
 * A generator of database integrations from a schema snapshot (schema-snapshot.ts): each table
 * and view an entity; tables with a primary key get every operation, views and tables without
 * one only Search and Count (and Get where a view or table has a unique key is not assumed).
 * Identity and computed columns are never inputs; keys may be composite.
 */
export function sqlGenerator(system: DatabaseSystem, version: string): Generator<SchemaSnapshot> {
  const generator: Generator<SchemaSnapshot> = {
    system,
    version,
    runtime: ['integration-utils', 'common-shared-services', 'integration-manager'],
    parse: async (bytes) => readSnapshot(bytes, system),
    describe: (model) => describeSnapshot(model),
    generate(model, input) {
      return generateCatalog(model, input, generator);
    },
  };
  return generator;
}

function operationsOf(table: SnapshotTable): Operation[] {
  if (table.kind === 'view' || table.primaryKey.length === 0) return ['Search', 'Count'];
  return ['Get', 'Search', 'Count', 'Create', 'Update', 'Delete'];
}

function describeSnapshot(model: SchemaSnapshot): SpecDescription {
  return {
    format: `${model.dialect} schema ${model.schema}`,
    entities: model.tables.map((table, i) => ({ name: table.name, pointer: pointer('tables', i), attributes: table.columns.map((c) => c.name), operations: operationsOf(table) })),
    functions: [],
  };
}

function generateCatalog(model: SchemaSnapshot, input: GenerateInput, generator: Generator<SchemaSnapshot>): Result<ActionCatalog> {
  const description = describeSnapshot(model);
  const problems = checkSelection(description, input.spec);
  if (problems.length > 0) return failed(problems);
  const selection = resolveSelection(description, input.spec);
  const typeNames = uniqueNames(model.tables.map((t) => pascalCase(singular(t.name))));
  const names = new Map(model.tables.map((t, i) => [t.name, typeNames[i]!]));
  const tables = new Map(model.tables.map((t, i) => [t.name, { table: t, index: i }]));
  const nulls = input.spec.nulls === 'typeDefaults' ? 'typeDefaults' : undefined;

  const entities: ActionCatalog['entities'] = [];
  const actions: CatalogAction[] = [];
  const definitions: Record<string, JsonSchema> = {};
  for (const chosen of selection.entities) {
    const { table, index } = tables.get(chosen.entity.name)!;
    const typeName = names.get(table.name)!;
    const entity = entityModel(model, table, index, typeName, chosen.attributes, nulls);
    const built = buildEntityActions(entity, chosen.operations, chosen.attributes);
    entities.push(built.entity);
    actions.push(...built.actions);
    Object.assign(definitions, built.definitions);
  }
  return ok({
    integration: input.name,
    system: generator.system,
    generator: { system: generator.system, version: generator.version },
    specification: { path: input.specPath, title: `${model.dialect} schema ${model.schema}`, format: describeSnapshot(model).format },
    entities,
    actions: actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    definitions,
  });
}

function entityModel(model: SchemaSnapshot, table: SnapshotTable, index: number, typeName: string, attributes: string[] | undefined, nulls: 'typeDefaults' | undefined): EntityModel {
  const source = pointer('tables', index);
  const wanted = attributes ? new Set([...attributes, ...table.primaryKey]) : undefined;
  const types = new Map<string, ColumnType>();
  for (const column of table.columns) types.set(column.name, columnType(column, model.system));
  const readOnly = table.kind === 'view';
  const modelAttributes: ModelAttribute[] = [];
  const columns: Record<string, DatabaseColumn> = {};
  const typeDefaults: string[] = [];
  for (const column of table.columns) {
    if (wanted && !wanted.has(column.name)) continue;
    const type = types.get(column.name)!;
    columns[column.name] = type.column;
    const defaulted = nulls === 'typeDefaults' && column.nullable && column.enum === undefined && typeDefault(type.column) !== undefined;
    if (defaulted) typeDefaults.push(column.name);
    const nullable = column.nullable && !defaulted;
    const described = column.comment ? { ...type.schema, description: column.comment } : type.schema;
    modelAttributes.push({
      name: column.name,
      schema: nullable ? orNull(described) : described,
      required: !column.nullable && column.default === undefined && column.generated === undefined,
      readOnly: readOnly || column.generated !== undefined,
      filterable: true,
      sortable: type.comparable,
    });
  }
  const database: DatabaseTarget = { schema: model.schema, table: table.name, key: [...table.primaryKey], columns, ...(typeDefaults.length > 0 ? { typeDefaults } : {}) };
  const keyInputs = table.primaryKey.map((k) => ({ name: k, schema: types.get(k)!.schema, required: true }));
  const path = `/${table.name}`;
  const request = (method: RequestTemplate['method'], status: number): RequestTemplate => ({ method, path, pathParameters: {}, query: [], headers: [], response: { pointer: '', status }, database });
  const search: SearchCapabilities = { operators: [...SQL_OPERATORS], advancedFilter: false, basicOrder: true, advancedOrder: false, paging: 'skip-top' };
  const all: Record<Operation, OperationModel> = {
    Get: { source, inputs: keyInputs, returns: 'entity', request: request('GET', 200) },
    Search: { source, inputs: [], search, returns: 'entity', request: { ...request('GET', 200), paging: { style: 'skip-top' } } },
    Count: { source, inputs: [], search: { ...search, basicOrder: false, paging: 'none' }, returns: 'entity', request: request('GET', 200) },
    Create: { source, inputs: [], returns: 'entity', request: request('POST', 201) },
    Update: { source, inputs: keyInputs, returns: 'entity', request: request('PATCH', 200) },
    Delete: { source, inputs: keyInputs, returns: 'nothing', request: request('DELETE', 204) },
  };
  const operations: Partial<Record<Operation, OperationModel>> = {};
  for (const op of operationsOf(table)) if (!(readOnly && WRITE.includes(op))) operations[op] = all[op];
  return {
    name: table.name,
    typeName,
    pluralName: pascalCase(plural(typeName)),
    source,
    keyAttributes: [...table.primaryKey],
    attributes: modelAttributes,
    operations,
  };
}
