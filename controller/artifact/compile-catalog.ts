import type { Ajv, ValidateFunction } from 'ajv';
import type { ActionCatalog, JsonSchema } from '../core/catalog.ts';
import { ajvFormatsModule as addFormats, ajvModule } from '../core/lazy-module.ts';
import { RFC3339_FORMATS } from './rfc3339-formats.ts';
import type { SpecProblem } from '../generators/generator.ts';

/**
 * The Ajv instance catalogs are compiled with, by the action runtime and by generation alike, so
 * that what generation accepts the runtime can run. Schemas come from generated catalogs of
 * arbitrary specifications, so unknown keywords are ignored rather than refused; the formats
 * generators write (date-time, uuid, int64, decimal...) are known.
 */
export function createCatalogAjv(): Ajv {
  // Patterns are ECMA-262 regular expressions as specifications write them, without the `u` flag:
  // with it, common patterns such as literal braces (`^{[a-z]+}$`) do not compile at all.
  const ajv = new (ajvModule().Ajv)({ strict: false, allErrors: true, logger: false, validateFormats: true, unicodeRegExp: false });
  addFormats()(ajv);
  for (const [name, format] of Object.entries(RFC3339_FORMATS)) ajv.addFormat(name, format);
  ajv.addFormat('decimal', { type: 'number', validate: () => true });
  return ajv;
}

/** One schema of a catalog as it is compiled: with every definition of the catalog beside it. */
export function catalogSchema(catalog: Pick<ActionCatalog, 'definitions'>, schema: JsonSchema): JsonSchema {
  return { definitions: catalog.definitions, allOf: [schema] };
}

/** Compiles one schema of a catalog as the runtime does. */
export function compileCatalogSchema(ajv: Ajv, catalog: Pick<ActionCatalog, 'definitions'>, schema: JsonSchema): ValidateFunction {
  return ajv.compile(catalogSchema(catalog, schema));
}

/**
 * Compiles schemas of many catalogs with one Ajv, as the runtime does: each catalog's definitions
 * are added once, under an id of its own (`key`: the artifact's hash), and each schema compiled
 * refers into them, so the first call of an action of a catalog with thousands of definitions
 * (GitHub's) compiles what that action reaches in milliseconds, instead of checking every
 * definition again. The outcome is that of compileCatalogSchema (test/generation/fidelity.test.ts
 * compares them action by action).
 */
export interface CatalogCompiler {
  compile(key: string, catalog: Pick<ActionCatalog, 'definitions'>, schema: JsonSchema): ValidateFunction;
}

export function createCatalogCompiler(ajv: Ajv = createCatalogAjv()): CatalogCompiler {
  const added = new Set<string>();
  return {
    compile(key, catalog, schema) {
      const id = `urn:intctl:catalog:${key}`;
      if (!added.has(id)) {
        ajv.addSchema({ $id: id, definitions: catalog.definitions });
        added.add(id);
      }
      return ajv.compile({ allOf: [referInto(schema, id)] });
    },
  };
}

/** A copy of a schema whose `#/definitions/…` references point into the catalog schema added under `id`. */
function referInto(node: unknown, id: string): JsonSchema {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof inner === 'string' && inner.startsWith('#/definitions/') ? `${id}${inner}` : rewrite(inner);
    }
    return out;
  };
  return rewrite(node) as JsonSchema;
}

/**
 * Problems that would make the runtime refuse to run the catalog's actions. The runtime compiles
 * every definition with each action, so one bad definition fails them all; compiling each action
 * here would take minutes on a large catalog (GitHub's has 2,400 schemas), so this makes the
 * checks Ajv's compile makes, with the same Ajv, once over the whole catalog: the schema against
 * Ajv's meta-schema (the compile's first step), every regular expression as Ajv builds it (no `u`
 * flag), and every reference resolved. Each problem names the definition at fault and the action
 * whose specification it came from.
 */
export function checkCatalogCompiles(catalog: ActionCatalog): SpecProblem[] {
  const ajv = createCatalogAjv();
  const schemas = catalog.actions.flatMap((a) => [a.input, a.output]);
  // A catalog without actions (a document of webhooks only) has nothing the runtime compiles.
  const root = catalogSchema(catalog, schemas.length > 0 ? { anyOf: schemas } : {});
  if (!ajv.validateSchema(root)) return [locate(catalog, `schema is invalid: ${ajv.errorsText(ajv.errors)}`)];
  const problems: SpecProblem[] = [];
  walk(root, 'data', (node, at) => {
    const patterns = [
      ...(typeof node.pattern === 'string' ? [node.pattern] : []),
      ...(node.patternProperties && typeof node.patternProperties === 'object' ? Object.keys(node.patternProperties) : []),
    ];
    for (const pattern of patterns) {
      try {
        new RegExp(pattern);
      } catch (error) {
        problems.push(locate(catalog, `${at} pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`));
      }
    }
    if (typeof node.$ref === 'string' && !(node.$ref.startsWith('#/definitions/') && node.$ref.slice(14) in catalog.definitions)) {
      problems.push(locate(catalog, `${at} can't resolve reference ${node.$ref}`));
    }
  });
  return problems.slice(0, 10);
}

/** Every schema object under `node` (values of enum, const, default and examples are not schemas). */
function walk(node: unknown, at: string, visit: (node: Record<string, unknown>, at: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${at}/${i}`, visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  visit(record, at);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') continue;
    walk(value, `${at}/${key}`, visit);
  }
}

/** `schema is invalid: data/definitions/X/properties/y/enum must ...` as a problem at the action that uses X. */
function locate(catalog: ActionCatalog, message: string): SpecProblem {
  const first = (message.split(', data/')[0] ?? message).replace(/^schema is invalid: /, '').replace(/^data\/allOf\/0\/anyOf\/\d+/, 'data');
  const definition = /data\/definitions\/([^/\s]+)(\/\S*)?/.exec(first);
  const name = definition?.[1];
  const action = name === undefined ? undefined : catalog.actions.find((a) => name === a.name + 'Input' || name === a.name + 'Output' || refersTo(a, name, catalog.definitions));
  const where = name === undefined ? '' : ` in schema ${name}${definition?.[2] ?? ''}`;
  const text = first.replace(/^data\/definitions\/\S+ /, '');
  return {
    reason: 'SpecificationInvalid',
    pointer: action?.source ?? '',
    message: `the generated catalog would not compile in the runtime${where}${action ? ` (used by action ${action.name})` : ''}: ${text}`,
  };
}

/** Whether an action's input or output reaches definition `name`, through other definitions. */
function refersTo(action: ActionCatalog['actions'][number], name: string, definitions: ActionCatalog['definitions']): boolean {
  const seen = new Set<string>();
  const queue = [JSON.stringify([action.input, action.output])];
  for (let i = 0; i < queue.length; i++) {
    for (const match of queue[i]!.matchAll(/"#\/definitions\/([^"]+)"/g)) {
      const found = match[1]!;
      if (found === name) return true;
      if (seen.has(found)) continue;
      seen.add(found);
      queue.push(JSON.stringify(definitions[found] ?? {}));
    }
  }
  return false;
}
