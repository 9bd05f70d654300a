/** Names of generated types and actions, made from the names a specification uses. */

/**
 * PascalCase from any name: `list-customers` -> `ListCustomers`, `blocked_by` -> `BlockedBy`,
 * `A_SalesOrder` stays. The result is a fixed point of the identifier rules of
 * json-schema-to-typescript, so a definition keeps its name in the declarations.
 */
export function pascalCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9_]+/).filter((p) => p.length > 0);
  let out = '';
  for (const part of parts) out += part.charAt(0).toUpperCase() + part.slice(1);
  out = out
    .replace(/_[a-z]/g, (m) => m.slice(1).toUpperCase())
    .replace(/[0-9]+[a-z]/g, (m) => m.toUpperCase());
  if (out === '' || /^_*$/.test(out)) return 'Unnamed';
  return /^[0-9]/.test(out) ? `N${out}` : out;
}

const IRREGULAR: Record<string, string> = { people: 'person', children: 'child', men: 'man', women: 'woman', data: 'data', status: 'status', news: 'news' };

/** A singular English noun, by the usual rules; unknown shapes stay as they are. */
export function singular(word: string): string {
  const lower = word.toLowerCase();
  for (const [plural, one] of Object.entries(IRREGULAR)) {
    if (lower.endsWith(plural)) return word.slice(0, word.length - plural.length) + matchCase(word.slice(word.length - plural.length), one);
  }
  if (/ies$/i.test(word) && word.length > 3) return `${word.slice(0, -3)}${matchCase(word.slice(-3, -2), 'y')}`;
  if (/(ss|us|is)$/i.test(word)) return word;
  if (/(sses|shes|ches|xes|zes)$/i.test(word)) return word.slice(0, -2);
  if (/s$/i.test(word) && word.length > 1) return word.slice(0, -1);
  return word;
}

/** A plural English noun, by the usual rules. */
export function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}${matchCase(word.slice(-1), 'ies')}`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}${matchCase(word.slice(-1), 'es')}`;
  return `${word}${matchCase(word.slice(-1), 's')}`;
}

function matchCase(sample: string, text: string): string {
  return sample === sample.toUpperCase() && sample !== sample.toLowerCase() ? text.toUpperCase() : text;
}

/** Makes names unique in the order given: the second `Foo` becomes `Foo2`, and so on. */
export function uniqueNames(names: readonly string[], taken: Set<string> = new Set()): string[] {
  const out: string[] = [];
  for (const name of names) {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    taken.add(candidate);
    out.push(candidate);
  }
  return out;
}
