import type { ErrorObject, ValidateFunction } from 'ajv';
import { createCatalogCompiler, type CatalogCompiler } from '../artifact/compile-catalog.ts';
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
 * call. They are compiled as generation checked them (compile-catalog.ts), each catalog's
 * definitions once. Past `limit` validators everything compiled is dropped, Ajv's own copies too.
 */
export class ValidatorCache {
  #compiler: CatalogCompiler = createCatalogCompiler();
  readonly #compiled = new Map<string, ActionValidators>();
  readonly #limit: number;

  constructor(limit = 2000) {
    this.#limit = limit;
  }

  validators(artifactHash: string, catalog: ActionCatalog, action: CatalogAction): ActionValidators {
    const key = `${artifactHash}\u0000${action.name}`;
    const cached = this.#compiled.get(key);
    if (cached) return cached;
    if (this.#compiled.size >= this.#limit) {
      this.#compiled.clear();
      this.#compiler = createCatalogCompiler();
    }
    const compile = (schema: JsonSchema): ValidateFunction => this.#compiler.compile(artifactHash, catalog, schema);
    const built = { input: compile(action.input), output: compile(action.output), outputSchema: resolve(action.output, catalog) };
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
