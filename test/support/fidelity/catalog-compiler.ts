import type { ValidateFunction } from 'ajv';
import { createCatalogCompiler } from '../../../controller/artifact/compile-catalog.ts';
import type { ActionCatalog, JsonSchema } from '../../../controller/core/catalog.ts';

export type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; message: string };

/** Compiles schemas of one catalog as the action runtime does. */
export interface CatalogCompiler {
  compile(schema: JsonSchema): Compiled;
}

/**
 * Compiles the schemas of a catalog as the action runtime does (createCatalogCompiler: the
 * catalog's definitions added once, each schema referring into them), reporting a schema that
 * does not compile instead of throwing.
 */
export function catalogCompiler(catalog: ActionCatalog): CatalogCompiler {
  const compiler = createCatalogCompiler();
  return {
    compile(schema) {
      try {
        return { ok: true, validate: compiler.compile('fidelity', catalog, schema) };
      } catch (error) {
        return { ok: false, message: firstLine(error) };
      }
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
