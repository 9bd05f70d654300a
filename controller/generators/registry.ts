/**
 * The generators, one per system kind. Adding a system is adding its folder and one line here;
 * the contract test runs every generator listed.
 */
import type { SystemKind } from '../generated/manifests.ts';
import type { Generator } from './generator.ts';
import { mysqlGenerator } from './mysql/mysql-generator.ts';
import { odataGenerator } from './odata/odata-generator.ts';
import { openapiGenerator } from './openapi/openapi-generator.ts';
import { postgresqlGenerator } from './postgresql/postgresql-generator.ts';

export const GENERATORS: Readonly<Partial<Record<SystemKind, Generator>>> = {
  openapi: openapiGenerator,
  odata: odataGenerator,
  postgresql: postgresqlGenerator,
  mysql: mysqlGenerator,
};

/** The generator of a system, or the reason there is none, as a value. */
export function generatorFor(system: SystemKind): { ok: true; generator: Generator } | { ok: false; message: string } {
  const generator = GENERATORS[system];
  return generator ? { ok: true, generator } : { ok: false, message: `no generator for system ${system}` };
}
