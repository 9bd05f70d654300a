import type { ErrorObject, ValidateFunction } from 'ajv';
import { ajvFormatsModule as ajvFormats, ajvModule } from '../core/lazy-module.ts';
import { API_GROUP_VERSION, manifestSchemas } from '../generated/schemas.ts';
import type { LoadedObject, Manifest, ManifestKind, Position, YamlDocument } from '../core/manifest.ts';
import { fieldName, type Problem } from '../core/problem.ts';
import { closestName } from '../core/edit-distance.ts';

const API_GROUP = API_GROUP_VERSION.split('/')[0]!;
const KINDS = Object.keys(manifestSchemas) as ManifestKind[];

type Validators = Record<ManifestKind, ValidateFunction>;
let validators: Validators | undefined;

function compileValidators(): Validators {
  const ajv = new (ajvModule().Ajv)({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  ajvFormats()(ajv);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys' });
  ajv.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields' });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    validate: function listType(kind: string, data: unknown[], parentSchema?: Record<string, unknown>) {
      const keys = (parentSchema?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
      const seen = new Set<string>();
      for (const [index, item] of data.entries()) {
        const id = kind === 'map' ? keys.map((k) => String((item as Record<string, unknown>)?.[k])).join(', ') : JSON.stringify(item);
        if (kind !== 'atomic' && seen.has(id)) {
          const message = `must not repeat ${kind === 'map' ? `${keys.join(', ')} ${id}` : id}`;
          (listType as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'x-kubernetes-list-type', message, params: { index } }];
          return false;
        }
        seen.add(id);
      }
      return true;
    },
    errors: true,
  });
  const out: Partial<Validators> = {};
  for (const kind of KINDS) out[kind] = ajv.compile(manifestSchemas[kind] as object);
  return out as Validators;
}

/**
 * Sorts one YAML document into ours or not, and validates ours against the schema of its kind.
 * Documents of other API groups (a Deployment, a Helm values file) are ignored; a document that
 * claims our group but an unknown kind or version is an error.
 */
export function validateDocument(doc: YamlDocument): { object?: LoadedObject; problems: Problem[] } {
  const value = doc.value as Record<string, unknown> | null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problems: [] };
  const apiVersion = value.apiVersion;
  if (typeof apiVersion !== 'string' || !(apiVersion === API_GROUP || apiVersion.startsWith(`${API_GROUP}/`))) {
    return { problems: [] };
  }
  const name = typeof (value.metadata as Record<string, unknown> | undefined)?.name === 'string'
    ? String((value.metadata as Record<string, unknown>).name)
    : undefined;
  const kindValue = typeof value.kind === 'string' ? value.kind : undefined;
  const object = kindValue && name ? { kind: kindValue, name } : undefined;
  const problem = (path: (string | number)[], reason: Problem['reason'], message: string, at: Position): Problem => ({
    file: doc.file,
    ...at,
    severity: 'error',
    reason,
    field: fieldName(path),
    message,
    ...(object ? { object } : {}),
  });

  if (apiVersion !== API_GROUP_VERSION) {
    return { problems: [problem(['apiVersion'], 'UnsupportedApiVersion', `${JSON.stringify(apiVersion)} is not served; use ${API_GROUP_VERSION}`, doc.locate(['apiVersion']))] };
  }
  if (!KINDS.includes(kindValue as ManifestKind)) {
    const message = kindValue === undefined ? `is required: one of ${KINDS.join(', ')}` : `${JSON.stringify(kindValue)} is not a kind of ${API_GROUP_VERSION}; use one of ${KINDS.join(', ')}`;
    return { problems: [problem(['kind'], 'UnknownKind', message, doc.locate(['kind']))] };
  }
  validators ??= compileValidators();
  const validate = validators[kindValue as ManifestKind];
  if (validate(value)) {
    return { object: { manifest: value as unknown as Manifest, head: value as unknown as Manifest, file: doc.file, locate: doc.locate, locateKey: doc.locateKey }, problems: [] };
  }
  const problems = simplifyErrors(validate.errors ?? []).map((error) => {
    const { path, message, atKey } = describeError(error);
    return problem(path, 'SchemaViolation', message, atKey ? doc.locateKey(path) : doc.locate(path));
  });
  return { problems };
}

function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Drops errors that only repeat another (ajv reports a failed `if` or `anyOf` branch twice). */
function simplifyErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error);
  }
  return out;
}

function describeError(error: ErrorObject): { path: (string | number)[]; message: string; atKey?: boolean } {
  const path = pointerPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as Record<string, unknown> | undefined;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((schema?.properties as object | undefined) ?? {});
      const hint = closestName(field, known);
      return {
        path: [...path, field],
        message: `is not a known field${hint ? `; did you mean ${hint}?` : known.length > 0 ? `; known fields: ${known.join(', ')}` : ''}`,
        atKey: true,
      };
    }
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'type':
      return { path, message: `must be ${article(String(params.type))}` };
    case 'pattern':
      return { path, message: patternMessage(String(params.pattern)) };
    case 'minProperties':
    case 'maxProperties':
      if (schema?.maxProperties === 1 && schema.properties) {
        return { path, message: `must set exactly one of ${Object.keys(schema.properties).join(', ')}` };
      }
      return { path, message: error.message ?? 'has the wrong number of fields' };
    case 'format':
      return { path, message: `must be a valid ${params.format === 'uri' ? 'absolute URL' : String(params.format)}` };
    case 'x-kubernetes-list-type':
      return { path: typeof params.index === 'number' ? [...path, params.index] : path, message: error.message ?? 'must not repeat an item' };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false' };
  return names[type] ?? `of type ${type}`;
}

function patternMessage(pattern: string): string {
  const known: Record<string, string> = {
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': 'must be a name of lower-case letters, digits and dashes that starts and ends with a letter or digit',
    '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$': 'must be an exact version such as 2.4.0',
    '^[A-Za-z_][A-Za-z0-9_]*$': 'must be a variable name of letters, digits and underscores',
    '^[A-Za-z0-9+/=_-]+$': 'must be the base64 text that `intctl seal` prints',
  };
  return known[pattern] ?? `must match ${pattern}`;
}
