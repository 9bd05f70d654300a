/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no insignificant whitespace except
 * the indentation asked for, `undefined` members dropped, and a trailing newline when indented.
 * Two equal values always give the same bytes, whatever order their keys were built in.
 */
export function canonicalJson(value: unknown, indent = 0): string {
  const out = write(value, indent, '');
  return indent > 0 ? `${out}\n` : out;
}

function write(value: unknown, indent: number, pad: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: cannot write a ${typeof value}`);
  }
  const inner = indent > 0 ? pad + ' '.repeat(indent) : '';
  const open = indent > 0 ? `\n${inner}` : '';
  const close = indent > 0 ? `\n${pad}` : '';
  const sep = indent > 0 ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items: string[] = [];
    for (const item of value) items.push(item === undefined ? 'null' : write(item, indent, inner));
    return `[${open}${items.join(sep)}${close}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort(compareKeys);
  if (keys.length === 0) return '{}';
  const colon = indent > 0 ? ': ' : ':';
  const members: string[] = [];
  for (const key of keys) members.push(`${JSON.stringify(key)}${colon}${write(record[key], indent, inner)}`);
  return `{${open}${members.join(sep)}${close}}`;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
