import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
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

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

/**
 * The Ajv every action schema is compiled with: unknown keywords ignored rather than refused
 * (schemas come from generated catalogs of arbitrary specifications), every error reported, and
 * the formats generators write (date-time, uuid, int64, decimal...) known. Exported so that
 * whatever checks a catalog ahead of the runtime compiles it exactly as the runtime will.
 */
export function createRuntimeAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('decimal', { type: 'number', validate: () => true });
  return ajv;
}

/**
 * Compiled input and output validators of actions, cached by artifact hash and action name: a
 * published artifact never changes under its hash, so a validator compiled once serves every
 * call. Each action is compiled with every definition of its catalog beside it, as one schema.
 */
export class ValidatorCache {
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ActionValidators>();
  readonly #limit: number;

  constructor(limit = 2000) {
    this.#limit = limit;
    this.#ajv = createRuntimeAjv();
  }

  validators(artifactHash: string, catalog: ActionCatalog, action: CatalogAction): ActionValidators {
    const key = `${artifactHash}\u0000${action.name}`;
    const cached = this.#compiled.get(key);
    if (cached) return cached;
    const compile = (schema: JsonSchema): ValidateFunction => this.#ajv.compile({ definitions: catalog.definitions, allOf: [schema] });
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
