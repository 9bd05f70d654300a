import { resolve } from 'node:path';
import type { Config } from '../config/read-config.ts';
import { StalledError } from '../core/errors.ts';
import { normalizeStorePath } from '../core/repo-path.ts';
import type { Environment } from '../generated/manifests.ts';
import type { EnvironmentDriver } from './driver.ts';
import { openEmbeddedEnvironment } from './embedded/open-embedded-environment.ts';
import { HttpEnvironment } from './http/http-environment.ts';
import { resolveToken } from './http/resolve-token.ts';

/** The Environment names a driver this build of intctl cannot reach yet. Needs a human: not retried. */
export class DriverNotAvailableError extends StalledError {
  readonly reason = 'DriverNotAvailable';
}

export interface OpenDriverOptions {
  /** The clock leases expire by. */
  now?: () => Date;
  /** Create an embedded environment's store when missing (the default). */
  create?: boolean;
  /** How an http driver reaches its server; tests and benchmarks pass their own. */
  fetch?: typeof fetch;
}

/**
 * Where an embedded environment keeps its SQLite file (and with it the environment's private
 * key): `spec.path` inside the state directory, or `<stateDir>/environments/<name>.db`. A path
 * that is absolute or climbs out of the state directory is refused here too, not only by
 * validation, since a command that opens one environment does not stop at problems elsewhere.
 */
export function embeddedStorePath(environment: Environment, stateDir: string): string {
  const path = environment.spec.path;
  if (path === undefined) return resolve(stateDir, 'environments', `${environment.metadata.name}.db`);
  const inside = normalizeStorePath(path);
  if (inside === undefined) {
    throw new DriverNotAvailableError(`environment ${environment.metadata.name}: spec.path ${JSON.stringify(path)} leaves the state directory; give a relative path inside it`);
  }
  return resolve(stateDir, inside);
}

/** The driver of an Environment manifest: the registry of drivers, one entry per `spec.driver`. */
export async function openDriver(environment: Environment, config: Pick<Config, 'stateDir' | 'env'>, options: OpenDriverOptions = {}): Promise<EnvironmentDriver> {
  const name = environment.metadata.name;
  switch (environment.spec.driver) {
    case 'embedded':
      return openEmbeddedEnvironment(embeddedStorePath(environment, config.stateDir), {
        name,
        ...(options.now ? { now: options.now } : {}),
        ...(options.create === undefined ? {} : { create: options.create }),
      });
    case 'http': {
      if (environment.spec.url === undefined) throw new DriverNotAvailableError(`environment ${name}: driver http needs spec.url`);
      const token = await resolveToken(name, environment.spec.token, config.env ?? {});
      return new HttpEnvironment({ name, url: environment.spec.url, token, ...(options.fetch ? { fetch: options.fetch } : {}) });
    }
    default:
      throw new DriverNotAvailableError(`environment ${name}: unknown driver ${JSON.stringify((environment.spec as { driver?: unknown }).driver)}`);
  }
}
