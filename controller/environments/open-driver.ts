import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/read-config.ts';
import { StalledError } from '../core/errors.ts';
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
 * Where an embedded environment keeps its SQLite file: `spec.path`, relative to the state
 * directory unless absolute, or `<stateDir>/environments/<name>.db`.
 */
export function embeddedStorePath(environment: Environment, stateDir: string): string {
  const path = environment.spec.path;
  if (path === undefined) return resolve(stateDir, 'environments', `${environment.metadata.name}.db`);
  return isAbsolute(path) ? path : resolve(join(stateDir, path));
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
