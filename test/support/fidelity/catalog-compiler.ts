import type { ValidateFunction } from 'ajv';
import { createCatalogAjv as createRuntimeAjv } from '../../../controller/artifact/compile-catalog.ts';
import type { ActionCatalog, JsonSchema } from '../../../controller/core/catalog.ts';

export type Compiled = { ok: true; validate: ValidateFunction } | { ok: false; message: string };

/** Compiles schemas of one catalog as the action runtime does. */
export interface CatalogCompiler {
  compile(schema: JsonSchema): Compiled;
}

const CATALOG_ID = 'urn:intctl:fidelity:catalog';

/**
 * Compiles the schemas of a catalog with the runtime's own Ajv (createRuntimeAjv), with the same
 * outcome as the runtime's ValidatorCache, which compiles `{definitions, allOf: [schema]}` for
 * each action: there, every definition is checked against the meta-schema at every compile (so
 * one faulty definition fails every action), and only the definitions a schema reaches are
 * compiled. Here the definitions are added once as a schema of their own (checked against the
 * meta-schema once; a fault fails every compile the same way) and each schema refers into it, so
 * GitHub's 1,200 actions take seconds instead of minutes. test/generation/fidelity.test.ts checks
 * that both give the same outcome, action by action.
 */
export function catalogCompiler(catalog: ActionCatalog): CatalogCompiler {
  const ajv = createRuntimeAjv();
  let definitionsFault: string | undefined;
  try {
    ajv.addSchema({ $id: CATALOG_ID, definitions: catalog.definitions });
  } catch (error) {
    definitionsFault = firstLine(error);
  }
  return {
    compile(schema) {
      if (definitionsFault !== undefined) return { ok: false, message: definitionsFault };
      try {
        return { ok: true, validate: ajv.compile({ allOf: [intoCatalog(schema)] }) };
      } catch (error) {
        return { ok: false, message: firstLine(error) };
      }
    },
  };
}

/** A copy of a schema whose `#/definitions/…` references point into the added catalog schema. */
function intoCatalog(node: unknown): JsonSchema {
  return rewrite(node) as JsonSchema;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/') ? `${CATALOG_ID}${value}` : rewrite(value);
  }
  return out;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
