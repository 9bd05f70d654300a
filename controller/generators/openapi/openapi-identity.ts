import type { GeneratorIdentity } from '../generator.ts';

/** The openapi generator's name, version and runtime, apart from its code: the registry names it without loading a parser. */
export const OPENAPI_GENERATOR = {
  system: 'openapi',
  // 2.0.0: Create and Update records from request bodies, every parameter an input, entities
  // named uniquely and read from the shape of answers; schemas translated by a converter, open
  // outputs, discriminators: catalogs change, some incompatibly.
  version: '2.0.0',
  runtime: ['integration-utils', 'common-shared-services', 'integration-manager'],
} as const satisfies GeneratorIdentity;
