import type { ParameterBinding, RequestTemplate } from '../core/catalog.ts';
import { atPointer } from '../core/json-pointer.ts';
import { odataFilter, odataLiteral, odataOrderBy, type BasicFilter, type BasicOrder } from './odata-expressions.ts';

/** A request ready to send, but for authentication. */
export interface BuiltRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request an action's template describes for one input, against the connection's endpoint:
 * `{name}` placeholders of the path filled (OData key literals or URL-encoded text), query
 * parameters and headers bound from the input or constant, the connection's fixed query
 * parameters (`sap-client`, say) after them, the body taken from the input, and Accept asking for
 * the media type the catalog records for the answer (application/json unless it says otherwise),
 * unless the template binds Accept itself, as OData's `$count` does for text. Pure;
 * the input has already been checked against the action's input schema. Throws RangeError for a
 * template it cannot fill (a placeholder without a value), which the caller reports.
 */
export function buildRequest(template: RequestTemplate, input: Record<string, unknown>, endpoint: string, fixedQuery: Readonly<Record<string, string>> = {}): BuiltRequest {
  const path = template.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const binding = template.pathParameters[name];
    const value = binding?.from?.map((p) => atPointer(input, p)).find((v) => v !== undefined) ?? binding?.value;
    if (value === undefined) throw new RangeError(`the path parameter ${name} has no value`);
    return binding?.format === 'odata-key' ? encodeURIComponent(odataLiteral(value)).replace(/%27/g, "'") : encodeURIComponent(String(value));
  });
  const url = new URL(joinPath(endpoint, path));
  // Encoded by hand rather than with URLSearchParams, which writes a space as '+': OData servers
  // read the query with decodeURIComponent, where '+' stays a plus.
  const pairs = url.search === '' ? [] : [url.search.slice(1)];
  for (const binding of template.query) {
    for (const value of bindingValues(binding, input)) pairs.push(`${encodeName(binding.name)}=${encodeURIComponent(value)}`);
  }
  for (const [name, value] of Object.entries(fixedQuery)) pairs.push(`${encodeName(name)}=${encodeURIComponent(value)}`);
  url.search = pairs.join('&');
  const headers: Record<string, string> = {};
  for (const binding of template.headers) {
    const values = bindingValues(binding, input);
    if (values.length > 0) headers[binding.name.toLowerCase()] = values.join(', ');
  }
  headers.accept ??= expectedMediaType(template);
  const built: BuiltRequest = { method: template.method, url, headers };
  if (template.body) {
    const body = atPointer(input, template.body.from);
    if (body !== undefined) {
      built.body = JSON.stringify(body);
      headers['content-type'] = template.body.contentType;
    }
  }
  return built;
}

/** The media type an action's answer is read as: the catalog's, application/json when it records none. */
export function expectedMediaType(template: RequestTemplate): string {
  return template.response.mediaType ?? 'application/json';
}

/** The endpoint and a path relative to it, with exactly one slash between them; the endpoint's own query is kept. */
function joinPath(endpoint: string, path: string): string {
  const base = new URL(endpoint);
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return base.toString();
}

/** What one binding sends: nothing when the input leaves it out, several values for a list in `plain`. */
function bindingValues(binding: ParameterBinding, input: Record<string, unknown>): string[] {
  if (binding.value !== undefined) return [binding.value];
  const from = binding.from ?? [];
  const at = (i: number): unknown => (from[i] === undefined ? undefined : atPointer(input, from[i]!));
  switch (binding.format) {
    case 'odata-filter': {
      const text = odataFilter(at(0) as BasicFilter[] | undefined, at(1) as string | undefined);
      return text === undefined ? [] : [text];
    }
    case 'odata-orderby': {
      const text = odataOrderBy(at(0) as BasicOrder[] | undefined, at(1) as string | undefined);
      return text === undefined ? [] : [text];
    }
    case 'odata-key': {
      const value = at(0);
      return value === undefined ? [] : [odataLiteral(value)];
    }
    case 'csv': {
      const advanced = at(1);
      if (typeof advanced === 'string' && advanced !== '') return [advanced];
      const list = at(0);
      if (!Array.isArray(list) || list.length === 0) return [];
      return [list.map((item) => (isOrder(item) ? `${item.direction === 'desc' ? '-' : ''}${item.attribute}` : String(item))).join(',')];
    }
    case 'order-attribute':
    case 'order-direction': {
      const criterion = firstCriterion(at(0), at(1));
      if (!criterion) return [];
      return [binding.format === 'order-attribute' ? criterion.attribute : (criterion.direction ?? 'asc')];
    }
    case 'plain': {
      if (binding.attribute !== undefined) {
        const filters = (at(0) as BasicFilter[] | undefined) ?? [];
        return filters.filter((f) => f.attribute === binding.attribute && f.operator === 'eq').map((f) => String(f.value));
      }
      const value = from.map((_, i) => at(i)).find((v) => v !== undefined);
      if (value === undefined || value === null) return [];
      return Array.isArray(value) ? value.map(String) : [typeof value === 'object' ? JSON.stringify(value) : String(value)];
    }
  }
}

function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%24/g, '$').replace(/%40/g, '@');
}

/** The one ordering criterion of an API that takes a field and a direction: advanced `-comments`, or the first basic one. */
function firstCriterion(basic: unknown, advanced: unknown): BasicOrder | undefined {
  if (typeof advanced === 'string' && advanced.trim() !== '') {
    const text = advanced.trim();
    return text.startsWith('-') ? { attribute: text.slice(1), direction: 'desc' } : { attribute: text.replace(/^\+/, ''), direction: 'asc' };
  }
  return Array.isArray(basic) && isOrder(basic[0]) ? basic[0] : undefined;
}

function isOrder(item: unknown): item is BasicOrder {
  return item !== null && typeof item === 'object' && typeof (item as BasicOrder).attribute === 'string';
}
