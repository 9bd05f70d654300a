import type { EnvironmentDriver } from '../../../controller/environments/driver.ts';

/**
 * A driver that answers as `driver` does, except for the methods given in `overrides`: to count
 * what a reconcile asks of an environment, or to inject a fault into one call. Methods not
 * overridden run on the driver itself, private fields and all.
 */
export function wrapDriver(driver: EnvironmentDriver, overrides: Partial<EnvironmentDriver>): EnvironmentDriver {
  return new Proxy(driver, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return (overrides as Record<string | symbol, unknown>)[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
