/**
 * The generators, one per system kind. Adding a system is adding its folder and one line here;
 * the contract test runs every generator listed.
 */
import type { ActionCatalog } from '../artifact/catalog.ts';
import type { SystemKind } from '../generated/manifests.ts';
import type { GenerateInput, Generator, Result } from './generator.ts';
import { odataGenerator } from './odata/odata-generator.ts';
import { openapiGenerator } from './openapi/openapi-generator.ts';

export const GENERATORS: Readonly<Partial<Record<SystemKind, Generator>>> = {
  openapi: openapiGenerator,
  odata: odataGenerator,
};

/**
 * A generator used in one step, from bytes: parse, then generate. For a caller that generates
 * once and holds no parsed model; the controller parses through SpecModels instead, so that a
 * specification is parsed once however many integrations use it.
 */
export interface OneStepGenerator extends Pick<Generator, 'system' | 'version' | 'runtime'> {
  generate(input: GenerateInput & { specBytes: Uint8Array }): Promise<Result<ActionCatalog>>;
}

/**
 * The generator of a system, for one-step use, or the reason there is none, as a value.
 * @deprecated Kept for test/environment-server/support/publish.ts, which generates this way and
 * lies outside this change; use GENERATORS with parse and generate (or SpecModels) instead.
 */
export function generatorFor(system: SystemKind): { ok: true; generator: OneStepGenerator } | { ok: false; message: string } {
  const generator = GENERATORS[system];
  if (!generator) return { ok: false, message: `no generator for system ${system}` };
  const { version, runtime } = generator;
  return {
    ok: true,
    generator: {
      system,
      version,
      runtime,
      async generate(input) {
        const model = await generator.parse(input.specBytes, input.spec.source);
        return model.ok ? generator.generate(model.value, input) : model;
      },
    },
  };
}
