/**
 * The second half of the declaration renderer of declarations-render.ts: json-schema-to-typescript's
 * optimizer and generator (optimizer.ts and generator.ts in 15.0), rule for rule and in the same
 * order, over the syntax tree the renderer builds, with the options intctl compiles with (no
 * prettier, no banner, `unknown` for any, index signatures that may be undefined, no enums of
 * named members). They are kept as close to the library's text as TypeScript allows, since the
 * order of every call matters: names are given, declarations are written and type text is
 * memoized in the order the library does it, and the bytes must be the same.
 */

export type AstType =
  | 'ANY' | 'ARRAY' | 'BOOLEAN' | 'CUSTOM_TYPE' | 'ENUM' | 'INTERFACE' | 'INTERSECTION' | 'LITERAL' | 'NEVER' | 'NUMBER'
  | 'NULL' | 'OBJECT' | 'REFERENCE' | 'STRING' | 'TUPLE' | 'UNION' | 'UNKNOWN';

/** One interface member: a property, or the index signature. */
export interface Param {
  ast: Ast;
  isPatternProperty: boolean;
  isRequired: boolean;
  isUnreachableDefinition: boolean;
  keyName: string;
}

/** The library's AST node: `params` is a list of nodes, one node, members (interfaces), a literal or a type's text, by type. */
export interface Ast {
  type: AstType;
  keyName?: string | undefined;
  standaloneName?: string | undefined;
  comment?: string | undefined;
  deprecated?: boolean | undefined;
  params?: unknown;
  superTypes?: Ast[];
}

/** The library's constants: shared nodes, compared by identity as the library does. */
export const T_UNKNOWN: Ast = { type: 'UNKNOWN' };
export const T_UNKNOWN_ADDITIONAL_PROPERTIES: Ast = { keyName: '[k: string]', type: 'UNKNOWN' };

export interface Printer {
  optimize(ast: Ast): Ast;
  generate(ast: Ast): string;
}

/** The optimizer and generator of one batch: type text is memoized per node, as lodash's memoize of `generateType` does within a batch. */
export function printer(toSafeString: (text: string) => string): Printer {
  const memo = new Map<Ast, string>();
  const children = (ast: Ast): Ast[] => ast.params as Ast[];
  const members = (ast: Ast): Param[] => ast.params as Param[];

  function optimize(ast: Ast, processed = new Set<Ast>()): Ast {
    if (processed.has(ast)) return ast;
    processed.add(ast);
    switch (ast.type) {
      case 'ARRAY':
        return Object.assign(ast, { params: optimize(ast.params as Ast, processed) });
      case 'INTERFACE':
        return Object.assign(ast, { params: members(ast).map((p) => Object.assign(p, { ast: optimize(p.ast, processed) })) });
      case 'INTERSECTION':
      case 'UNION': {
        const optimized = Object.assign(ast, { params: children(ast).map((p) => optimize(p, processed)) });
        // [A, B, C, Unknown] -> Unknown (the library's rule for any comes first; with unknownAny no node is any)
        if (children(optimized).some((p) => p.type === 'ANY')) throw new Error('declarations: an any type was not expected');
        if (children(optimized).some((p) => p.type === 'UNKNOWN')) return T_UNKNOWN;
        // [A (named), A] -> [A (named)]
        const first = children(optimized)[0];
        if (
          children(optimized).every((p) => generateType(omitStandaloneName(p)) === generateType(omitStandaloneName(first as Ast))) &&
          children(optimized).some((p) => p.standaloneName !== undefined)
        ) {
          optimized.params = children(optimized).filter((p) => p.standaloneName !== undefined);
        }
        // [A, B, B] -> [A, B]
        const seen = new Set<string>();
        const params = children(optimized).filter((p) => {
          const text = generateType(p);
          if (seen.has(text)) return false;
          seen.add(text);
          return true;
        });
        if (params.length !== children(optimized).length) optimized.params = params;
        return Object.assign(optimized, { params: children(optimized).map((p) => optimize(p, processed)) });
      }
      default:
        return ast;
    }
  }

  function omitStandaloneName(ast: Ast): Ast {
    return ast.type === 'ENUM' ? ast : { ...ast, standaloneName: undefined };
  }

  function generate(ast: Ast): string {
    return [declareNamedTypes(ast, ast.standaloneName), declareNamedInterfaces(ast, ast.standaloneName), declareEnums(ast)].filter(Boolean).join('\n\n') + '\n';
  }

  function declareEnums(ast: Ast, processed = new Set<Ast>()): string {
    if (processed.has(ast)) return '';
    processed.add(ast);
    switch (ast.type) {
      case 'ENUM':
        throw new Error('declarations: named enums are not rendered here');
      case 'ARRAY':
        return declareEnums(ast.params as Ast, processed);
      case 'UNION':
      case 'INTERSECTION':
        return children(ast).reduce((prev, p) => prev + declareEnums(p, processed), '');
      case 'TUPLE':
        throw new Error('declarations: tuples are not rendered here');
      case 'INTERFACE':
        return superTypesAndParams(ast).reduce((prev, p) => prev + declareEnums(p, processed), '');
      default:
        return '';
    }
  }

  function declareNamedInterfaces(ast: Ast, rootName: string | undefined, processed = new Set<Ast>()): string {
    if (processed.has(ast)) return '';
    processed.add(ast);
    switch (ast.type) {
      case 'ARRAY':
        return declareNamedInterfaces(ast.params as Ast, rootName, processed);
      case 'INTERFACE':
        return [
          hasStandaloneName(ast) && standaloneInterface(ast),
          superTypesAndParams(ast).map((p) => declareNamedInterfaces(p, rootName, processed)).filter(Boolean).join('\n'),
        ].filter(Boolean).join('\n');
      case 'INTERSECTION':
      case 'TUPLE':
      case 'UNION':
        return children(ast).map((p) => declareNamedInterfaces(p, rootName, processed)).filter(Boolean).join('\n');
      default:
        return '';
    }
  }

  function declareNamedTypes(ast: Ast, rootName: string | undefined, processed = new Set<Ast>()): string {
    if (processed.has(ast)) return '';
    processed.add(ast);
    switch (ast.type) {
      case 'ARRAY':
        return [declareNamedTypes(ast.params as Ast, rootName, processed), hasStandaloneName(ast) ? standaloneType(ast) : undefined].filter(Boolean).join('\n');
      case 'ENUM':
        return '';
      case 'INTERFACE':
        return superTypesAndParams(ast).map((p) => declareNamedTypes(p, rootName, processed)).filter(Boolean).join('\n');
      case 'INTERSECTION':
      case 'TUPLE':
      case 'UNION':
        return [hasStandaloneName(ast) ? standaloneType(ast) : undefined, children(ast).map((p) => declareNamedTypes(p, rootName, processed)).filter(Boolean).join('\n')]
          .filter(Boolean)
          .join('\n');
      default:
        return hasStandaloneName(ast) ? standaloneType(ast) : '';
    }
  }

  function generateType(ast: Ast): string {
    const known = memo.get(ast);
    if (known !== undefined) return known;
    const raw = generateRawType(ast);
    const text = ast.keyName === '[k: string]' ? `${raw} | undefined` : raw;
    memo.set(ast, text);
    return text;
  }

  function generateRawType(ast: Ast): string {
    if (hasStandaloneName(ast)) return toSafeString(ast.standaloneName as string);
    switch (ast.type) {
      case 'ARRAY': {
        const type = generateType(ast.params as Ast);
        return type.endsWith('"') ? `(${type})[]` : `${type}[]`;
      }
      case 'BOOLEAN':
        return 'boolean';
      case 'INTERFACE':
        return generateInterface(ast);
      case 'INTERSECTION':
      case 'UNION': {
        const parts = children(ast).map((p) => generateType(p));
        return parts.length === 1 ? (parts[0] as string) : `(${parts.join(ast.type === 'UNION' ? ' | ' : ' & ')})`;
      }
      case 'LITERAL':
        return JSON.stringify(ast.params);
      case 'NEVER':
        return 'never';
      case 'NUMBER':
        return 'number';
      case 'NULL':
        return 'null';
      case 'OBJECT':
        return 'object';
      case 'STRING':
        return 'string';
      case 'UNKNOWN':
        return 'unknown';
      case 'CUSTOM_TYPE':
        return ast.params as string;
      default:
        throw new Error(`declarations: a ${ast.type} node is not rendered here`);
    }
  }

  function generateInterface(ast: Ast): string {
    return (
      '{\n' +
      members(ast)
        .filter((p) => !p.isPatternProperty && !p.isUnreachableDefinition)
        .map((p) => (hasComment(p.ast) && !p.ast.standaloneName ? `${comment(p.ast.comment, p.ast.deprecated)}\n` : '') + escapeKeyName(p.keyName) + (p.isRequired ? '' : '?') + ': ' + generateType(p.ast))
        .join('\n') +
      '\n}'
    );
  }

  function standaloneInterface(ast: Ast): string {
    const supers = ast.superTypes ?? [];
    return (
      (hasComment(ast) ? `${comment(ast.comment, ast.deprecated)}\n` : '') +
      `export interface ${toSafeString(ast.standaloneName as string)} ` +
      (supers.length > 0 ? `extends ${supers.map((s) => toSafeString(s.standaloneName as string)).join(', ')} ` : '') +
      generateInterface(ast)
    );
  }

  // The library leaves @deprecated out of a type alias's comment (it passes the comment alone).
  function standaloneType(ast: Ast): string {
    const { standaloneName: _name, ...rest } = ast;
    return (hasComment(ast) ? `${comment(ast.comment, undefined)}\n` : '') + `export type ${toSafeString(ast.standaloneName as string)} = ${generateType(rest as Ast)}`;
  }

  return { optimize: (ast) => optimize(ast), generate };
}

function superTypesAndParams(ast: Ast): Ast[] {
  return (ast.params as Param[]).map((p) => p.ast).concat(ast.superTypes ?? []);
}

function hasComment(ast: Ast): boolean {
  return ('comment' in ast && ast.comment != null && ast.comment !== '') || ('deprecated' in ast && ast.deprecated === true);
}

function hasStandaloneName(ast: Ast): boolean {
  return 'standaloneName' in ast && ast.standaloneName != null && ast.standaloneName !== '';
}

function comment(text: string | undefined, deprecated: boolean | undefined): string {
  const lines = ['/**'];
  if (deprecated) lines.push(' * @deprecated');
  if (typeof text !== 'undefined') lines.push(...text.split('\n').map((line) => ` * ${line}`));
  lines.push(' */');
  return lines.join('\n');
}

function escapeKeyName(keyName: string): string {
  if (keyName.length && /[A-Za-z_$]/.test(keyName.charAt(0)) && /^[\w$]+$/.test(keyName)) return keyName;
  if (keyName === '[k: string]') return keyName;
  return JSON.stringify(keyName);
}
