import type { GeneratorIdentity } from '../generator.ts';

/** The odata generator's name, version and runtime, apart from its code: the registry names it without loading a parser. */
export const ODATA_GENERATOR = {
  system: 'odata',
  version: '1.1.0',
  runtime: ['integration-utils', 'common-shared-services', 'integration-manager'],
} as const satisfies GeneratorIdentity;
