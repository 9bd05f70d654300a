import { compile } from 'json-schema-to-typescript';
import { parseAllDocuments } from 'yaml';
import {
  API_GROUP_VERSION,
  KINDS,
  crdSchemasByKind,
  hoistTitledSchemas,
  strictManifestSchema,
  type JsonSchema,
  type Kind,
} from './crd-schemas.ts';

const BANNER = '// Generated from crds/ by `npm run generate:types`. Do not edit.\n';

/** The files generated from the CRDs, keyed by their path in the repository. */
export async function renderGenerated(crdTexts: string[]): Promise<Record<string, string>> {
  const crds: unknown[] = [];
  for (const text of crdTexts) {
    for (const doc of parseAllDocuments(text)) crds.push(doc.toJS());
  }
  const byKind = crdSchemasByKind(crds);
  const strict = Object.fromEntries(KINDS.map((kind) => [kind, strictManifestSchema(byKind[kind])])) as Record<Kind, JsonSchema>;

  let types = BANNER;
  for (const kind of KINDS) {
    const ts = await compile(hoistTitledSchemas(strict[kind]) as never, kind, {
      bannerComment: '',
      additionalProperties: false,
      strictIndexSignatures: true,
      ignoreMinAndMaxItems: true,
      format: true,
      style: { singleQuote: true, printWidth: 110 },
      declareExternallyReferenced: true,
    });
    types += `\n${ts}`;
  }
  types = dedupeDeclarations(types);

  const schemas =
    BANNER +
    `/* eslint-disable */\n` +
    `export const API_GROUP_VERSION = ${JSON.stringify(API_GROUP_VERSION)};\n\n` +
    `/** The strict JSON Schema of each manifest kind, derived from its CRD. */\n` +
    `export const manifestSchemas = ${JSON.stringify(strict, null, 2)} as const;\n`;

  return {
    'controller/generated/manifests.ts': types,
    'controller/generated/schemas.ts': schemas,
  };
}

/**
 * Each kind is compiled on its own, so shared titled types (`SecretValue`, `Condition`, ...)
 * come out once per kind; keep the first declaration of each name.
 */
function dedupeDeclarations(source: string): string {
  const blocks = source.split(/\n(?=(?:\/\*\*[\s\S]*?\*\/\n)?export )/);
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const block of blocks) {
    const name = /export (?:interface|type) (\w+)/.exec(block)?.[1];
    if (name && seen.has(name)) continue;
    if (name) seen.add(name);
    kept.push(block);
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n');
}
