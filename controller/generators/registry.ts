/**
 * The generators, one per system kind. Adding a system is adding its folder and one line here;
 * the contract test runs every generator listed.
 */
import type { SystemKind } from '../generated/manifests.ts';
import type { Generator, GeneratorIdentity } from './generator.ts';
import { mysqlGenerator } from './mysql/mysql-generator.ts';
import { ODATA_GENERATOR } from './odata/odata-identity.ts';
import { OPENAPI_GENERATOR } from './openapi/openapi-identity.ts';
import { postgresqlGenerator } from './postgresql/postgresql-generator.ts';

/**
 * A generator whose code is loaded the first time it parses a specification. Its identity (system,
 * version, runtime: what content hashes name) is known at once; its code, and the parser libraries
 * it brings (swagger-parser, swagger2openapi, ajv's OpenAPI schemas, fast-xml-parser: about 0.25 s
 * of CPU at every start otherwise), only once a specification is read, and a plan whose
 * integrations the environment already holds reads none. A model comes only from `parse`, so
 * describe, generate and faults always find the code loaded.
 */
function loadedOnParse<M>(identity: GeneratorIdentity, load: () => Promise<Generator<M>>, options: { faults: boolean }): Generator<M> {
  let code: Generator<M> | undefined;
  const loaded = (): Generator<M> => {
    if (!code) throw new Error(`the ${identity.system} generator was given a model before it parsed a specification`);
    return code;
  };
  return {
    ...identity,
    async parse(specBytes, parseOptions) {
      code ??= await load();
      return code.parse(specBytes, parseOptions);
    },
    describe: (model) => loaded().describe(model),
    generate: (model, input) => loaded().generate(model, input),
    ...(options.faults ? { faults: (model: M, spec: Parameters<NonNullable<Generator<M>['faults']>>[1]) => loaded().faults!(model, spec) } : {}),
  };
}

export const GENERATORS: Readonly<Partial<Record<SystemKind, Generator>>> = {
  openapi: loadedOnParse(OPENAPI_GENERATOR, async () => (await import('./openapi/openapi-generator.ts')).openapiGenerator as Generator, { faults: true }),
  odata: loadedOnParse(ODATA_GENERATOR, async () => (await import('./odata/odata-generator.ts')).odataGenerator as Generator, { faults: false }),
  postgresql: postgresqlGenerator,
  mysql: mysqlGenerator,
};

/** The generator of a system, or the reason there is none, as a value. */
export function generatorFor(system: SystemKind): { ok: true; generator: Generator } | { ok: false; message: string } {
  const generator = GENERATORS[system];
  return generator ? { ok: true, generator } : { ok: false, message: `no generator for system ${system}` };
}
