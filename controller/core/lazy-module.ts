import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Ajv } from 'ajv';
import type * as ForgeModule from 'node-forge';
import type * as YamlModule from 'yaml';

const requireModule = createRequire(import.meta.url);

/**
 * A CommonJS package loaded when it is first used, not when the module that uses it is: a command
 * that never parses YAML text, validates a manifest or reads a PKCS #12 file (an `intctl plan` whose
 * files are all known from the cache) does not pay for loading yaml, ajv or node-forge. The call
 * sites are synchronous, so this is `require`, which Node gives an ES module through createRequire;
 * a package loaded here and by an `import` elsewhere is one instance.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireModule(id) as T);
}

/** The packages loaded on first use, one accessor each for every module that uses them. */
export const yamlModule = lazyModule<typeof YamlModule>('yaml');
export const ajvModule = lazyModule<typeof AjvModule>('ajv');
export const ajvFormatsModule = lazyModule<(ajv: Ajv) => void>('ajv-formats');
export const forgeModule = lazyModule<typeof ForgeModule>('node-forge');
