import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Ajv } from 'ajv';
import type * as ForgeModule from 'node-forge';
import type * as JsYamlModule from 'js-yaml';
import type * as CronModule from 'node-cron';
import type * as YamlModule from 'yaml';

const requireModule = createRequire(import.meta.url);

/**
 * A CommonJS package loaded when it is first used, not when the module that uses it is: a command
 * that never parses YAML text, validates a manifest or a cron schedule, or reads a PKCS #12 file
 * (an `intctl plan` whose files are all known from the cache) does not pay for loading yaml,
 * js-yaml, ajv, node-cron or node-forge. The call sites are synchronous, so this is `require`,
 * which Node gives an ES module through createRequire. A package that ships one build for both is
 * one instance whether required here or imported elsewhere; one that ships two (node-cron) is two,
 * so only what holds no state (node-cron's validation of a schedule) is taken from here.
 */
export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireModule(id) as T);
}

/** The packages loaded on first use, one accessor each for every module that uses them. */
export const yamlModule = lazyModule<typeof YamlModule>('yaml');
export const jsYamlModule = lazyModule<typeof JsYamlModule>('js-yaml');
export const ajvModule = lazyModule<typeof AjvModule>('ajv');
export const ajvFormatsModule = lazyModule<(ajv: Ajv) => void>('ajv-formats');
export const forgeModule = lazyModule<typeof ForgeModule>('node-forge');
export const cronModule = lazyModule<typeof CronModule>('node-cron');
