import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { compileCatalogSchema, createCatalogAjv } from '../artifact/compile-catalog.ts';
import type { ActionCatalog, CatalogAction, JsonSchema } from '../core/catalog.ts';

export interface ActionValidators {
  input: ValidateFunction;
  output: ValidateFunction;
  /** The output schema, resolved: what kind of value the action returns. */
  outputSchema: JsonSchema;
}

export interface SchemaMismatch {
  path: string;
  message: string;
}

/**
 * Compiled input and output validators of actions, cached by artifact hash and action name: a
 * published artifact never changes under its hash, so a validator compiled once serves every
 * call. They are compiled as generation checked them (compile-catalog.ts).
 */
export class ValidatorCache {
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ActionValidators>();
  readonly #limit: number;

  constructor(limit = 2000) {
    this.#limit = limit;
    this.#ajv = createCatalogAjv();
  }

  validators(artifactHash: string, catalog: ActionCatalog, action: CatalogAction): ActionValidators {
    const key = `${artifactHash}\u0000${action.name}`;
    const cached = this.#compiled.get(key);
    if (cached) return cached;
    const compile = (schema: JsonSchema): ValidateFunction => compileCatalogSchema(this.#ajv, catalog, schema);
    const built = { input: compile(action.input), output: compile(action.output), outputSchema: resolve(action.output, catalog) };
    if (this.#compiled.size >= this.#limit) this.#compiled.clear();
    this.#compiled.set(key, built);
    return built;
  }
}

/** What a failed validation says, without the values that failed: paths and messages only. */
export function mismatches(errors: readonly ErrorObject[] | null | undefined): SchemaMismatch[] {
  return (errors ?? []).slice(0, 20).map((e) => ({ path: e.instancePath === '' ? '/' : e.instancePath, message: e.message ?? 'does not match' }));
}

function resolve(schema: JsonSchema, catalog: ActionCatalog): JsonSchema {
  let node = schema;
  for (let i = 0; i < 8 && typeof node.$ref === 'string' && node.$ref.startsWith('#/definitions/'); i++) {
    node = catalog.definitions[node.$ref.slice('#/definitions/'.length)] ?? {};
  }
  return node;
}
