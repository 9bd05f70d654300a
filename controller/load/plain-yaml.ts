import type * as JsYaml from 'js-yaml';
import { jsYamlModule } from '../core/lazy-module.ts';

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const INT_OCT = /^0o[0-7]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/*
 * The scalars of YAML 1.2's core schema, resolved exactly as the `yaml` library resolves them
 * (its schema/core and schema/common tests), so that both readers give the same values. Made when
 * the first text is read: a plan whose files all come from the cache reads none.
 */
let core: JsYaml.Schema | undefined;
function coreSchema(): JsYaml.Schema {
  if (core) return core;
  const jsYaml = jsYamlModule();
  const scalar = (tag: string, test: (s: string) => boolean, construct: (s: string) => unknown): JsYaml.Type =>
    new jsYaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s: unknown) => typeof s === 'string' && test(s), construct: (s: string) => construct(s) });
  return (core = jsYaml.FAILSAFE_SCHEMA.extend({
    implicit: [
      scalar('null', (s) => NULL.test(s), () => null),
      scalar('bool', (s) => BOOL.test(s), (s) => s[0] === 't' || s[0] === 'T'),
      scalar('int', (s) => INT.test(s) || INT_OCT.test(s) || INT_HEX.test(s), (s) =>
        INT_OCT.test(s) ? parseInt(s.slice(2), 8) : INT_HEX.test(s) ? parseInt(s.slice(2), 16) : parseInt(s, 10),
      ),
      scalar('float', (s) => FLOAT_SPECIAL.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s), (s) => {
        if (!FLOAT_SPECIAL.test(s)) return parseFloat(s);
        if (s.slice(-3).toLowerCase() === 'nan') return NaN;
        return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      }),
    ],
  }));
}

/**
 * Characters that open what only the careful reader handles as intctl must: anchors and aliases
 * (bounded expansion), tags (refused by name), directives, and merge keys.
 */
const NOT_PLAIN = /[&*!%]|<</;

/**
 * The documents of a plain YAML text, read quickly: texts without anchors, aliases, tags,
 * directives or merge keys, whose documents are mappings (or empty) nested no deeper than
 * `maxDepth`, and that the fast reader reads without complaint. For anything else (or any doubt) it answers undefined, and the
 * caller reads the text with the careful reader, which says what is wrong and where. The values
 * are those the careful reader gives (YAML 1.2, core schema): test/core/plain-yaml.test.ts holds
 * the two to that.
 */
export function loadPlainYaml(text: string, maxDepth: number): unknown[] | undefined {
  if (NOT_PLAIN.test(text)) return undefined;
  let documents: unknown[];
  try {
    documents = jsYamlModule().loadAll(text, undefined, { schema: coreSchema() });
  } catch {
    return undefined;
  }
  // A text of comments alone is no document to the careful reader.
  if (documents.length === 1 && documents[0] === null && !/^---/m.test(text) && !/^[ \t]*[^#\s]/m.test(text)) return [];
  for (const document of documents) {
    // Manifests are mappings; a document of another shape (a top-level block scalar reads
    // differently in the two readers) is the careful reader's.
    if (document !== null && (typeof document !== 'object' || Array.isArray(document))) return undefined;
    if (depthOf(document, maxDepth) > maxDepth) return undefined;
  }
  return documents;
}

/** How deeply collections nest in a value, counting no further than past `limit`. */
function depthOf(value: unknown, limit: number, depth = 0): number {
  if (value === null || typeof value !== 'object') return depth;
  if (depth > limit) return depth;
  let deepest = depth + 1;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
  return deepest;
}
