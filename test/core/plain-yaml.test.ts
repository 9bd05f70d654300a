import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify, type ToStringOptions } from 'yaml';
import { loadPlainYaml } from '../../controller/load/plain-yaml.ts';

/** What the careful reader (the `yaml` library, YAML 1.2 core schema) makes of a text. */
const careful = (text: string): unknown[] | undefined => {
  const docs = parseAllDocuments(text);
  return docs.some((doc) => doc.errors.length > 0) ? undefined : docs.map((doc) => doc.toJS());
};

const SCALARS = [
  '~', 'null', 'Null', 'NULL', 'nul', '', 'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0', '-0', '+12', '017', '00012', '0o17', '0o8', '0x1F', '0xG', '-0x1', '0b101', '1_000', '9007199254740993',
  '1.5', '.5', '-.5', '+1.5E-2', '1.', '1e3', '1e', '1.0e+3', '1e400', '1_0.5', '1.2.3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '+.nan',
  '2024-01-01', '2024-01-01T10:00:00Z', '12:30', '1:20:30', 'x:y', 'a b', 'é', '"quoted 1"', "'single ''q'''", 'trailing # comment',
];

describe('loadPlainYaml', () => {
  it.each(SCALARS)('reads the plain scalar %j as the careful reader does', (scalar) => {
    const text = `key: ${scalar}\nlist:\n  - ${scalar}\nflow: [${scalar || '""'}]\n`;
    expect(loadPlainYaml(text, 64)).toEqual(careful(text));
  });

  it.each([
    ['an empty text', ''],
    ['comments alone', '# nothing here\n  # nor here\n'],
    ['an explicit empty document', '---\n'],
    ['documents with an empty one between', '---\na: 1\n---\n---\nb: 2\n'],
    ['a comment before the first marker', '# header\n---\na: 1\n'],
    ['block scalars and folding', 'a: |\n  one\n  two\nb: >-\n  x\n  y\nc: plain\n  multi\n\n  para\n'],
    ['keys that name prototype properties', '__proto__: { polluted: true }\nconstructor: x\ntoString: y\n'],
    ['escapes', 'a: "\\u00e9\\x41\\t"\nb: \'it\'\'s\'\n'],
    ['complex keys and nested sequences', '? complex\n: 1\nk:\n- a\n-   - b\n    - c\n'],
    ['a manifest', 'apiVersion: intctl.dev/v1alpha1\nkind: Integration\nmetadata:\n  name: crm\n  labels: { team: sales }\nspec:\n  system: openapi\n  environments: [dev, test]\n'],
  ])('reads %s as the careful reader does', (_what, text) => {
    expect(loadPlainYaml(text, 64)).toEqual(careful(text));
  });

  it.each([
    ['an anchor and an alias', 'a: &x [1]\nb: *x\n'],
    ['a tag', 'a: !Ref other\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a merge key', 'base: { a: 1 }\nc:\n  <<: { b: 2 }\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a syntax error', 'a: [1, 2\n'],
    ['a tab for indentation', 'a:\n\t- 1\n'],
    ['nesting past the limit', 'a: [[[[1]]]]\n'],
    ['a document that is not a mapping', '|2-\n   x\n'],
    ['a sequence at the top', '- a\n- b\n'],
  ])('leaves %s to the careful reader', (_what, text) => {
    expect(loadPlainYaml(text, 4)).toBeUndefined();
  });

  it('reads whatever it accepts as the careful reader does, for any value in any style', () => {
    const scalar = fc.oneof(fc.constantFrom(...SCALARS), fc.string({ maxLength: 12 }), fc.double(), fc.integer());
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4 })),
    })).node;
    const style = fc.constantFrom<ToStringOptions>({}, { collectionStyle: 'flow' }, { defaultStringType: 'QUOTE_DOUBLE' }, { defaultStringType: 'BLOCK_LITERAL' }, { indentSeq: false }, { lineWidth: 20, minContentWidth: 0 });
    fc.assert(
      fc.property(fc.array(fc.oneof(value, fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 5 })), { minLength: 1, maxLength: 3 }), style, (docs, options) => {
        const text = docs.map((doc) => stringify(doc, null, options)).join('---\n');
        const fast = loadPlainYaml(text, 64);
        if (fast !== undefined) expect(fast).toEqual(careful(text));
      }),
      { numRuns: 500 },
    );
  });
});
